using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Engines.Onnx;
using Maas.Serving.Pipelines;
using Maas.UnitTests.Formats;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Serving.Batching;

/// <summary>Text-level batching of <see cref="EmbeddingPipeline"/>: texts of several requests padded into one encoder
/// call give the same vectors as each request alone.</summary>
public sealed class EmbeddingBatchingTests(MiniLmModelFixture miniLm) : IClassFixture<MiniLmModelFixture>, IDisposable
{
    private static readonly string[][] Requests =
    [
        ["Short one."],
        ["A considerably longer sentence, so that the others in its batch have to be padded to its length.", "Two texts here."],
        ["The quick brown fox jumps over the lazy dog."],
        ["Maas turns trained models into a network service, one batch at a time."],
    ];

    private readonly BatchingHarness _harness = new();

    private static ModelManifest Manifest => new()
    {
        Task = ModelTasks.Embeddings,
        PreProcessing = [new ProcessingStep(ProcessingSteps.WordPiece, new Dictionary<string, string> { ["vocab"] = "vocab.txt" })],
        PostProcessing = [new ProcessingStep(ProcessingSteps.MeanPooling), new ProcessingStep(ProcessingSteps.L2Normalize)],
    };

    private static Dictionary<string, string> Files(string? model = null)
    {
        var files = new Dictionary<string, string> { ["vocab.txt"] = MiniLmVocabulary.Path };
        if (model is not null)
        {
            files["model.onnx"] = model;
        }

        return files;
    }

    // Rows enough for every text of every request: the batch flushes by size the moment the last request arrives,
    // and the minute-long delay (on a fake clock) keeps the first ones waiting for it.
    private static DeploymentSettings Merging => new() { Instances = 1, MaxBatchSize = Requests.Sum(r => r.Length), MaxQueueDelay = TimeSpan.FromMinutes(1) };

    [Fact]
    public async Task EmbedAsync_RequestsOfDifferentLengthsMerged_SameVectorsAsAlone()
    {
        var model = new FakeEncoderModel();
        await using var pipeline = new EmbeddingPipeline(model, Manifest, Files(), 256, _harness.Context(Merging));
        await using var alonePipeline = new EmbeddingPipeline(new FakeEncoderModel(), Manifest, Files(), 256, _harness.Context(Merging with { MaxBatchSize = 1 }));
        var alone = new List<EmbeddingResult>();
        foreach (var texts in Requests)
        {
            alone.Add(await alonePipeline.EmbedAsync(texts));
        }

        var merged = await Task.WhenAll(Requests.Select(texts => pipeline.EmbedAsync(texts).AsTask()));

        var shape = Assert.Single(model.Shapes);
        Assert.Equal(Requests.Sum(r => r.Length), shape[0]);
        for (var i = 0; i < Requests.Length; i++)
        {
            Assert.Equal(Requests[i].Length, merged[i].Count);
            Assert.Equal(alone[i].TokenCount, merged[i].TokenCount);
            Assert.Equal(alone[i].Vectors, merged[i].Vectors);
        }
    }

    [Fact]
    public async Task EmbedAsync_RealMiniLmMergedWithPadding_CosineToAloneAtLeast0_99999()
    {
        var engine = new OnnxEngine(Options.Create(new OnnxEngineOptions()), NullLogger<OnnxEngine>.Instance);
        var context = new ModelLoadContext("all-minilm-l6-v2:1", Manifest, Files(miniLm.ModelPath), new DeploymentSettings { IntraOpThreads = 1 });
        var loaded = (ITensorModel)await engine.LoadAsync(context);
        await using var pipeline = new EmbeddingPipeline(loaded, Manifest, Files(), 256, _harness.Context(Merging));
        var alone = new List<EmbeddingResult>();
        foreach (var texts in Requests)
        {
            // One request fills no batch, so these run one by one once the clock passes their delay.
            var task = pipeline.EmbedAsync(texts).AsTask();
            _harness.Time.Advance(TimeSpan.FromMinutes(1));
            alone.Add(await task);
        }

        var merged = await Task.WhenAll(Requests.Select(texts => pipeline.EmbedAsync(texts).AsTask()));

        for (var i = 0; i < Requests.Length; i++)
        {
            for (var row = 0; row < Requests[i].Length; row++)
            {
                var cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(alone[i][row], merged[i][row]);
                Assert.True(cosine >= 0.99999f, $"request {i} row {row}: cosine {cosine}");
            }
        }
    }

    public void Dispose() => _harness.Dispose();
}
