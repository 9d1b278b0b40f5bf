using Maas.Samples;

namespace Maas.UnitTests.Serving;

/// <summary>The real all-MiniLM-L6-v2 vocabulary written to a temporary file once per test run.</summary>
internal static class MiniLmVocabulary
{
    private static readonly Lazy<string> LazyPath = new(() =>
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"maas-vocab-{Environment.ProcessId}.txt");
        SampleModels.CopyMiniLmFile("vocab.txt", path);
        return path;
    });

    public static string Path => LazyPath.Value;
}
