using Maas.Samples;

namespace Maas.UnitTests.Serving;

/// <summary>The real all-MiniLM-L6-v2 vocabulary written to a temporary file once per test run.</summary>
internal static class MiniLmVocabulary
{
    private static readonly Lazy<string> LazyPath = new(() =>
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"maas-vocab-{Environment.ProcessId}.txt");
        var files = SampleModels.OpenMiniLm();
        try
        {
            using var file = File.Create(path);
            files.Single(f => f.Name == "vocab.txt").Content.CopyTo(file);
        }
        finally
        {
            foreach (var (_, content) in files)
            {
                content.Dispose();
            }
        }

        return path;
    });

    public static string Path => LazyPath.Value;
}
