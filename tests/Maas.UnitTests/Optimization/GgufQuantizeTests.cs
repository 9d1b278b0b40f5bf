using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
using Maas.Optimization;
using Maas.Optimization.Gguf;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Optimization;

/// <summary>GGUF re-quantization through llama.cpp's own quantizer, on tiny llama models written by TinyLlamaGguf.</summary>
public sealed class GgufQuantizeTests
{
    /// <summary>Rows of 256 (embedding 256, feed-forward 512) so every K-quant fits.</summary>
    internal static readonly TinyLlamaOptions KQuantFit = new() { EmbeddingLength = 256, FeedForwardLength = 512, HeadCount = 4, BlockCount = 2 };

    [Fact]
    public async Task QuantizeJob_F32ToQ4KM_RegistersSmallModelThatGenerates()
    {
        await using var host = new OptimizationTestHost();
        using var folder = new TempGguf(KQuantFit);
        var parent = await host.PushAsync("tiny-llama", [("model.gguf", File.ReadAllBytes(folder.Path))]);
        Assert.Equal(ModelTasks.TextGeneration, parent.Manifest.Task);

        var result = await host.RunAsync(new { model = "tiny-llama", method = "q4_k_m", alias = "q4" });

        var version = await host.Registry.ResolveAsync(new ModelReference("tiny-llama", Alias: "q4"));
        Assert.Equal(result.Version, version.Version);
        Assert.Equal((ModelFormats.Gguf, "llama", ModelTasks.TextGeneration, "model-q4_k_m.gguf"), (version.Manifest.Format, version.Manifest.Engine, version.Manifest.Task, version.Manifest.ModelFile));
        var report = host.LastPush.Report!;
        Assert.True(report.ArtifactBytes <= 0.2 * report.ParentArtifactBytes, $"{report.ArtifactBytes} of {report.ParentArtifactBytes}");
        Assert.Equal("Q4_K_M", host.LastPush.Lineage!.Parameters["type"]);

        // The report's figures come from loading both through the llama engine and decoding greedily with each.
        var accuracy = report.Accuracy!;
        Assert.Equal(("greedy-token-agreement", 6), (accuracy.Metric, accuracy.Samples));
        Assert.InRange(accuracy.Mean, 0, 1);
        Assert.Equal([1, 8], report.Throughput.Select(t => t.BatchSize));
        Assert.All(report.Throughput, t => Assert.True(t.ParentRowsPerSecond > 0 && t.RowsPerSecond > 0));
        Assert.Contains(report.Notes, n => n.StartsWith("Tensor types after:", StringComparison.Ordinal) && n.Contains("Q4_K", StringComparison.Ordinal));

        var stored = GgufReader.Read(await host.Registry.GetArtifactPathAsync(version.Files.Single(f => f.Name == version.Manifest.ModelFile).Sha256));
        var weights = stored.Tensors.Where(GgufQuantizationType.IsQuantized).ToList();
        Assert.All(weights, t => Assert.Contains(t.Type, new[] { GgmlType.Q4_K, GgmlType.Q6_K }));
        Assert.Contains(weights, t => t.Type == GgmlType.Q4_K);
    }

    [Fact]
    public async Task ValidateAsync_KQuantOnRowsOf64_RefusedWithTheReason()
    {
        await using var host = new OptimizationTestHost();
        using var folder = new TempGguf(new TinyLlamaOptions());
        await host.PushAsync("tiny-llama", [("model.gguf", File.ReadAllBytes(folder.Path))]);

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Handler.ValidateAsync(
            OptimizationTestHost.Request(new { model = "tiny-llama", method = "q4_k_m" }), CancellationToken.None));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("multiples of 256", error.Message, StringComparison.Ordinal);
        Assert.Contains("allow_fallback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_KQuantWithFallbackAllowed_ReportsTheFallbackTypes()
    {
        await using var host = new OptimizationTestHost();
        using var folder = new TempGguf(new TinyLlamaOptions());
        var pass = Pass(host, "q4_k_m");

        var result = await pass.RunAsync(Context(folder, "{\"allow_fallback\": true, \"threads\": 1}"), CancellationToken.None);

        var types = GgufReader.Read(result.ModelPath).Tensors.Where(GgufQuantizationType.IsQuantized).Select(t => t.Type).ToHashSet();
        Assert.DoesNotContain(GgmlType.Q4_K, types);
        Assert.Contains(result.Notes, n => n.StartsWith("Tensor types after:", StringComparison.Ordinal) && !n.Contains("Q4_K", StringComparison.Ordinal));
        Assert.Equal("true", result.Parameters["allow_fallback"]);
    }

    [Fact]
    public async Task CheckModel_AlreadyQuantized_Refused()
    {
        await using var host = new OptimizationTestHost();
        using var folder = new TempGguf(new TinyLlamaOptions());
        var q8 = await Pass(host, "q8_0").RunAsync(Context(folder, "{}"), CancellationToken.None);

        var error = Assert.Throws<MaasException>(() => ((Maas.Optimization.Jobs.IModelPassCheck)Pass(host, "q4_0"))
            .CheckModel(q8.ModelPath, new ModelManifest { Format = ModelFormats.Gguf, ModelFile = "model.gguf" }, Empty()));

        Assert.Contains("already quantized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CancelledBeforeTheNativeCallEnds_LeavesNoOutput()
    {
        await using var host = new OptimizationTestHost();
        using var folder = new TempGguf(KQuantFit);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var context = Context(folder, "{}");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Pass(host, "q8_0").RunAsync(context, cancel.Token));

        // The native call may still be writing; its completion deletes the file again, so wait for the folder to empty
        // by watching it (bounded), not by sleeping a fixed time.
        using var watcher = new FileSystemWatcher(context.OutputDirectory);
        for (var i = 0; i < 100 && Directory.EnumerateFiles(context.OutputDirectory).Any(); i++)
        {
            watcher.WaitForChanged(WatcherChangeTypes.Deleted, 100);
        }

        Assert.Empty(Directory.EnumerateFiles(context.OutputDirectory));
    }

    [Theory]
    [InlineData("{\"threads\": 0}", "threads")]
    [InlineData("{\"allow_fallback\": \"yes\"}", "allow_fallback")]
    [InlineData("{\"imatrix\": \"x\"}", "imatrix")]
    public async Task ValidateOptions_Bad_Refused(string json, string mentioned)
    {
        await using var host = new OptimizationTestHost();

        var error = Assert.Throws<MaasException>(() => Pass(host, "q4_0").ValidateOptions(JsonDocument.Parse(json).RootElement));

        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
    }

    private static IModelPass Pass(OptimizationTestHost host, string method) =>
        host.Services.GetServices<IModelPass>().Single(p => p.Method == method && p.Format == ModelFormats.Gguf);

    private static PassContext Context(TempGguf folder, string options) =>
        new(folder.Path, new ModelManifest { Format = ModelFormats.Gguf, Engine = "llama", ModelFile = "model.gguf" }, JsonDocument.Parse(options).RootElement,
            Directory.CreateDirectory(System.IO.Path.Combine(folder.Directory, "out-" + Guid.NewGuid().ToString("N"))).FullName, (_, _) => { });

    private static JsonElement Empty() => JsonDocument.Parse("{}").RootElement;

    /// <summary>A tiny llama GGUF file in its own temporary folder.</summary>
    internal sealed class TempGguf : IDisposable
    {
        public TempGguf(TinyLlamaOptions options)
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("maas-gguf-quantize-").FullName;
            Path = System.IO.Path.Combine(Directory, "model.gguf");
            TinyLlamaGguf.Write(Path, options);
        }

        public string Directory { get; }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A native call finishing late may hold a file for a moment; the temp folder is cleaned eventually.
            }
        }
    }
}
