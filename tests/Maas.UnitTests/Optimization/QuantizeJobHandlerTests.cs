using System.Text;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Optimization;
using Maas.Optimization.Evaluation;
using Maas.UnitTests.Serving;

namespace Maas.UnitTests.Optimization;

public sealed class QuantizeJobHandlerTests
{
    [Fact]
    public async Task RunAsync_CopyPassOnTensorModel_RegistersVersionWithLineageReportAndAlias()
    {
        var pass = DelegatePass.Copy();
        await using var host = new OptimizationTestHost(pass);
        var parent = await host.PushAsync("tiny", [("model.onnx", TinyModels.Linear()), ("notes.txt", Encoding.UTF8.GetBytes("carried"))]);

        var result = await host.RunAsync(new { model = "tiny", method = "test-copy", alias = "fast" });

        Assert.Equal(("tiny", 2), (result.Model, result.Version));
        var version = await host.Registry.ResolveAsync(new ModelReference("tiny", Alias: "fast"));
        Assert.Equal(2, version.Version);
        Assert.Equal("model.copy.onnx", version.Manifest.ModelFile);
        Assert.Equal(parent.Manifest.Inputs.Select(i => (i.Name, i.ShapeText)), version.Manifest.Inputs.Select(i => (i.Name, i.ShapeText)));
        Assert.Contains(version.Files, f => f.Name == "notes.txt" && f.Sha256 == parent.Files.Single(p => p.Name == "notes.txt").Sha256);
        Assert.DoesNotContain(version.Files, f => f.Name == "model.onnx");

        var lineage = Assert.IsType<Maas.Registry.Abstractions.Lineage>(host.LastPush.Lineage);
        var source = Assert.Single(lineage.Parents);
        Assert.Equal(("tiny", 1, "source"), (source.Model, source.Version, source.Role));
        Assert.Equal("quantize", lineage.Transform);
        Assert.Equal("test-copy", lineage.Parameters["method"]);
        Assert.Equal("true", lineage.Parameters["copied"]);
        Assert.Equal("job-1", lineage.JobId);

        var report = Assert.IsType<Maas.Registry.Abstractions.VersionReport>(host.LastPush.Report);
        Assert.Equal("quantize test-copy", report.Transform);
        Assert.Equal("tiny:1", report.Parent);
        Assert.Equal(parent.Files.Single(f => f.Name == "model.onnx").Size, report.ParentArtifactBytes);
        Assert.Equal(report.ParentArtifactBytes, report.ArtifactBytes);
        Assert.Equal([1, 8], report.Throughput.Select(t => t.BatchSize));
        Assert.All(report.Throughput, t => Assert.True(t.ParentRowsPerSecond > 0 && t.RowsPerSecond > 0));
        var accuracy = Assert.IsType<Maas.Registry.Abstractions.AccuracyComparison>(report.Accuracy);
        Assert.Equal(("cosine", "generated", EvaluationInputs.GeneratedTensorSamples), (accuracy.Metric, accuracy.InputSource, accuracy.Samples));
        Assert.Equal(1.0, accuracy.Mean, 6);
        Assert.Equal(1.0, accuracy.Min, 6);
        Assert.Contains("cores", report.Machine);
        Assert.Contains("copied unchanged", report.Notes);

        // Progress only moves forward and ends at 1; the pass's half-way point lands inside the pass's share.
        var fractions = host.Progress.Select(p => p.Fraction).ToList();
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(1, fractions[^1]);
        Assert.Contains(host.Progress, p => p.Stage == "copying" && p.Fraction > 0.05 && p.Fraction < 0.6);
    }

    [Fact]
    public async Task RunAsync_PassChangesWeights_ReportsCosineBelowOne()
    {
        var pass = new DelegatePass("test-perturb", "onnx", (context, _) =>
        {
            var output = Path.Combine(context.OutputDirectory, "model.onnx");
            File.WriteAllBytes(output, TinyModels.Encoder(30522, noise: 0.5f));
            return Task.FromResult(new PassResult(output, new Dictionary<string, string>(), []));
        });
        await using var host = new OptimizationTestHost(pass);
        await host.PushAsync("enc", [("model.onnx", TinyModels.Encoder(30522)), ("vocab.txt", File.ReadAllBytes(MiniLmVocabulary.Path))]);

        await host.RunAsync(new { model = "enc", method = "test-perturb" });

        var version = await host.Registry.ResolveAsync(new ModelReference("enc", Version: 2));
        Assert.Equal(ModelTasks.Embeddings, version.Manifest.Task);
        Assert.Contains(version.Manifest.PreProcessing, s => s.Name == ProcessingSteps.WordPiece);
        Assert.Contains(version.Files, f => f.Name == "vocab.txt");
        var report = host.LastPush.Report!;
        var accuracy = report.Accuracy!;
        Assert.Equal("cosine", accuracy.Metric);
        Assert.True(accuracy.Samples >= 64);
        Assert.InRange(accuracy.Mean, 0.5, 0.9999);
        Assert.True(accuracy.Min <= accuracy.Mean);
        Assert.Contains(report.Notes, n => n.Contains("serving pipeline", StringComparison.Ordinal));

        // The pass saw the sentences as model feeds, tokenized as the pipeline does: [CLS] … [SEP], batch 1.
        var feeds = pass.LastContext!.CalibrationInputs!;
        Assert.Equal(accuracy.Samples, feeds.Count);
        var ids = feeds[0].Single(t => t.Name == "input_ids");
        Assert.Equal(1, ids.Shape[0]);
        Assert.Equal(101L, ids.AsSpan<long>()[0]);
    }

    [Fact]
    public async Task RunAsync_FixedBatchModel_MeasuresBatchOneOnlyAndSaysWhy()
    {
        await using var host = new OptimizationTestHost(DelegatePass.Copy());
        await host.PushAsync("fixed", [("model.onnx", TinyModels.Linear(batch: 1))]);

        await host.RunAsync(new { model = "fixed", method = "test-copy" });

        var report = host.LastPush.Report!;
        Assert.Equal(1, Assert.Single(report.Throughput).BatchSize);
        Assert.Contains(report.Notes, n => n.Contains("batch dimension is fixed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ClassifierTask_ReportsTopOneAgreement()
    {
        await using var host = new OptimizationTestHost(DelegatePass.Copy());
        await host.PushAsync("cls", [("model.onnx", TinyModels.Linear())], new ModelManifest { Task = ModelTasks.Classification, Labels = ["a", "b", "c"] });

        await host.RunAsync(new { model = "cls", method = "test-copy" });

        var accuracy = host.LastPush.Report!.Accuracy!;
        Assert.Equal(("top1-agreement", 1.0, 1.0), (accuracy.Metric, accuracy.Mean, accuracy.Min));
    }

    [Fact]
    public async Task RunAsync_CalibrationGivenWithJob_PassGetsThoseFeeds()
    {
        var pass = DelegatePass.Copy();
        await using var host = new OptimizationTestHost(pass);
        await host.PushAsync("tiny", [("model.onnx", TinyModels.Linear())]);

        await host.RunAsync(new
        {
            model = "tiny",
            method = "test-copy",
            calibration = new object[] { new { x = new[] { 1f, 2f, 3f, 4f } }, new { x = new[] { new[] { 0f, 1f, 0f, 1f } } } },
        });

        var feeds = pass.LastContext!.CalibrationInputs!;
        Assert.Equal(2, feeds.Count);
        Assert.Equal([1L, 4L], feeds[0][0].Shape);
        Assert.Equal([1f, 2f, 3f, 4f], feeds[0][0].AsSpan<float>().ToArray());
        var report = host.LastPush.Report!;
        Assert.Equal(("job", 2), (report.Accuracy!.InputSource, report.Accuracy.Samples));
    }

    [Fact]
    public async Task RunAsync_SamplesStoredWithParent_UsesThemAndCarriesThemOver()
    {
        var pass = DelegatePass.Copy();
        await using var host = new OptimizationTestHost(pass);
        var samples = "{\"x\": [[1, 2, 3, 4]]}\n\n{\"x\": [0.5, 0.5, 0.5, 0.5]}\n{\"x\": [9, 8, 7, 6]}\n";
        await host.PushAsync("tiny", [("model.onnx", TinyModels.Linear()), ("samples.jsonl", Encoding.UTF8.GetBytes(samples))]);

        await host.RunAsync(new { model = "tiny", method = "test-copy" });

        var version = await host.Registry.ResolveAsync(new ModelReference("tiny", Version: 2));
        Assert.Equal(("version", 3), (host.LastPush.Report!.Accuracy!.InputSource, host.LastPush.Report.Accuracy.Samples));
        Assert.Contains(version.Files, f => f.Name == "samples.jsonl");
    }

    [Fact]
    public async Task RunAsync_CancelledDuringPass_RegistersNothing()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pass = new DelegatePass("test-wait", "onnx", async (context, ct) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        await using var host = new OptimizationTestHost(pass);
        await host.PushAsync("tiny", [("model.onnx", TinyModels.Linear())]);
        using var cancel = new CancellationTokenSource();

        var run = host.RunAsync(new { model = "tiny", method = "test-wait", alias = "never" }, cancel.Token);
        await entered.Task;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var details = await host.Registry.GetModelAsync("tiny");
        Assert.Equal(1, Assert.Single(details!.Versions).Version);
        Assert.False(details.Summary.Aliases.ContainsKey("never"));
    }

    [Fact]
    public async Task RunAsync_CancelledDuringMeasurement_RegistersNothing()
    {
        using var cancel = new CancellationTokenSource();
        await using var host = new OptimizationTestHost(DelegatePass.Copy());
        await host.PushAsync("tiny", [("model.onnx", TinyModels.Linear())]);
        var request = OptimizationTestHost.Request(new { model = "tiny", method = "test-copy" });
        var work = Directory.CreateTempSubdirectory("maas-quantize-").FullName;
        try
        {
            var context = new Maas.Jobs.JobContext("job-x", request, work, (fraction, _) =>
            {
                if (fraction >= 0.6)
                {
                    cancel.Cancel();
                }
            });

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Handler.RunAsync(context, cancel.Token));
            Assert.Single((await host.Registry.GetModelAsync("tiny"))!.Versions);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"model\": \"tiny\", \"method\": \"nope\"}", MaasErrorKind.InvalidArgument, "test-copy")]
    [InlineData("{\"model\": \"tiny\", \"method\": \"q4_k_m\"}", MaasErrorKind.InvalidArgument, "applies to gguf")]
    [InlineData("{\"model\": \"tiny\", \"method\": \"test-copy\", \"options\": {\"bits\": 3}}", MaasErrorKind.InvalidArgument, "bits")]
    [InlineData("{\"model\": \"tiny\", \"version\": 7, \"method\": \"test-copy\"}", MaasErrorKind.NotFound, "7")]
    [InlineData("{\"model\": \"ghost\", \"method\": \"test-copy\"}", MaasErrorKind.NotFound, "ghost")]
    [InlineData("{\"model\": \"tiny\", \"method\": \"test-copy\", \"calibration\": [{\"x\": [1, 2, 3]}]}", MaasErrorKind.InvalidArgument, "[1, 3]")]
    [InlineData("{\"model\": \"tiny\", \"method\": \"test-copy\", \"calibration\": [{\"y\": [1, 2, 3, 4]}]}", MaasErrorKind.InvalidArgument, "no input 'y'")]
    [InlineData("{\"model\": \"tiny\", \"method\": \"test-copy\", \"alias\": \"a b\"}", MaasErrorKind.InvalidArgument, "Alias")]
    [InlineData("{\"model\": \"tiny\", \"method\": \"test-copy\", \"bogus\": 1}", MaasErrorKind.InvalidArgument, "bogus")]
    [InlineData("{\"method\": \"test-copy\"}", MaasErrorKind.InvalidArgument, "model")]
    public async Task ValidateAsync_BadRequest_FailsBeforeRunning(string json, MaasErrorKind kind, string mentioned)
    {
        var pass = DelegatePass.Copy();
        await using var host = new OptimizationTestHost(pass);
        await host.PushAsync("tiny", [("model.onnx", TinyModels.Linear())]);
        var request = new Maas.Jobs.JobRequest("quantize", System.Text.Json.JsonDocument.Parse(json).RootElement, "tester");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Handler.ValidateAsync(request, CancellationToken.None));

        Assert.Equal(kind, error.Kind);
        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pass.Runs);
    }

    [Fact]
    public async Task ValidateAsync_VersionGivenInReference_Resolves()
    {
        await using var host = new OptimizationTestHost(DelegatePass.Copy());
        await host.PushAsync("tiny", [("model.onnx", TinyModels.Linear())]);

        await host.Handler.ValidateAsync(OptimizationTestHost.Request(new { model = "tiny:1", method = "TEST-COPY" }), CancellationToken.None);
        var error = await Assert.ThrowsAsync<MaasException>(() => host.Handler.ValidateAsync(OptimizationTestHost.Request(new { model = "tiny@missing", method = "test-copy" }), CancellationToken.None));
        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public void TensorValues_Tile_RepeatsTheRow()
    {
        using var row = Tensor.Create("x", [1L, 2L], new[] { 1f, 2f });
        using var tiled = TensorValues.Tile(row, 3);
        Assert.Equal([3L, 2L], tiled.Shape);
        Assert.Equal([1f, 2f, 1f, 2f, 1f, 2f], tiled.AsSpan<float>().ToArray());
    }
}
