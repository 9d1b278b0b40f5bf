using System.Globalization;
using Maas.Core.Models;
using Maas.Samples;
using Xunit.Abstractions;

namespace Maas.UnitTests.Optimization;

/// <summary>The quantize job on the real all-MiniLM-L6-v2 (the lead's end-to-end target), with a copy pass standing in
/// for the method: the whole path (fetch, 72 sentences through WordPiece, pipeline measurement, push) on a 90 MB model,
/// and the measurement's own noise (parent vs an identical copy).</summary>
public sealed class MiniLmQuantizeJobTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_MiniLmCopied_RegistersEmbeddingsVersionWithIdenticalVectors()
    {
        await using var host = new OptimizationTestHost(DelegatePass.Copy());
        var files = SampleModels.OpenMiniLm();
        var content = files.Select(f =>
        {
            using var stream = f.Content;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return (f.Name, memory.ToArray());
        }).ToList();
        var parent = await host.PushAsync(SampleModels.MiniLmName, content);

        var result = await host.RunAsync(new { model = SampleModels.MiniLmName, method = "test-copy", alias = "copy" });
        output.WriteLine(result.Summary);

        var version = await host.Registry.ResolveAsync(new ModelReference(SampleModels.MiniLmName, Alias: "copy"));
        static string Steps(IEnumerable<ProcessingStep> steps) =>
            string.Join("; ", steps.Select(s => s.Name + " " + string.Join(",", s.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))));
        Assert.Equal(Steps(parent.Manifest.PreProcessing), Steps(version.Manifest.PreProcessing));
        Assert.Equal(Steps(parent.Manifest.PostProcessing), Steps(version.Manifest.PostProcessing));
        Assert.Equal(ModelTasks.Embeddings, version.Manifest.Task);
        var report = host.LastPush.Report!;
        Assert.Equal(90_000_000, report.ParentArtifactBytes, 10_000_000d);
        Assert.Equal((72, 1.0), (report.Accuracy!.Samples, Math.Round(report.Accuracy.Min, 6)));
        Assert.Equal([1, 8], report.Throughput.Select(t => t.BatchSize));
        foreach (var t in report.Throughput)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {t.BatchSize}: parent {t.ParentRowsPerSecond:0.0} rows/s, copy {t.RowsPerSecond:0.0} rows/s, ratio {t.Ratio:0.00}"));
        }

        output.WriteLine(report.Machine);
    }
}
