using System.Text;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Pipelines;
using Maas.Serving.Processing.Images;
using Maas.UnitTests.Serving.Batching;
using SkiaSharp;

namespace Maas.UnitTests.Serving.Images;

/// <summary><see cref="ImageEmbeddingPipeline"/> over a fake model that doubles its input: what reaches the engine
/// (merged or one image per call) and what comes back per image.</summary>
public sealed class ImageEmbeddingPipelineTests : IDisposable
{
    private const int Side = 4;
    private const int Values = 3 * Side * Side;
    private readonly BatchingHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static ModelManifest Manifest => new()
    {
        Task = ModelTasks.ImageEmbeddings,
        PreProcessing =
        [
            new ProcessingStep(ProcessingSteps.DecodeImage),
            new ProcessingStep(ProcessingSteps.CenterCrop, new Dictionary<string, string> { ["size"] = "4" }),
        ],
    };

    private ImageEmbeddingPipeline Create(FakeTensorModel model, int maxBatch) =>
        new(model, Manifest, new Dictionary<string, string>(), new ImageOptions(),
            _harness.Context(new DeploymentSettings { Instances = 1, MaxBatchSize = maxBatch, MaxQueueDelay = TimeSpan.FromMinutes(1) }));

    private static byte[] Image(int seed) => TestImages.Encode(TestImages.Scene(6, 5, seed), SKEncodedImageFormat.Png);

    /// <summary>What the pipeline should answer for an image: its centre 4×4 RGB planes, doubled by the fake model.</summary>
    private static float[] Expected(byte[] encoded)
    {
        var preprocessor = new ImagePreprocessor(Manifest.PreProcessing, new Dictionary<string, string>(), new ImageOptions());
        var values = new float[Values];
        preprocessor.Process(encoded, values, 0);
        return values.Select(v => v * 2).ToArray();
    }

    [Fact]
    public async Task EmbedImagesAsync_ConcurrentRequests_MergedIntoOneEngineCall()
    {
        var model = new FakeTensorModel([-1, 3, Side, Side]);
        await using var pipeline = Create(model, maxBatch: 4);
        var requests = new[] { new[] { Image(0) }, [Image(1), Image(2)], [Image(3)] };

        var results = await Task.WhenAll(requests.Select(r => pipeline.EmbedImagesAsync(r.Select(i => (ReadOnlyMemory<byte>)i).ToList()).AsTask()));

        Assert.Equal(1, model.Calls);
        var call = await model.NextCallAsync();
        Assert.Equal(new long[] { 4, 3, Side, Side }, call.Shape);
        Assert.Equal(Values, pipeline.Dimensions);
        for (var r = 0; r < requests.Length; r++)
        {
            Assert.Equal(requests[r].Length, results[r].Count);
            for (var i = 0; i < requests[r].Length; i++)
            {
                Assert.Equal(Expected(requests[r][i]), results[r][i].ToArray());
            }
        }
    }

    [Fact]
    public async Task EmbedImagesAsync_ModelBatchFixedAtOne_OneCallPerImageInOrder()
    {
        var model = new FakeTensorModel([1, 3, Side, Side]);
        await using var pipeline = Create(model, maxBatch: 1);
        var images = new[] { Image(0), Image(1), Image(2) };

        var result = await pipeline.EmbedImagesAsync(images.Select(i => (ReadOnlyMemory<byte>)i).ToList());

        Assert.Equal(3, model.Calls);
        for (var i = 0; i < images.Length; i++)
        {
            Assert.Equal(Expected(images[i]), result[i].ToArray());
        }
    }

    [Fact]
    public async Task InferAsync_BytesTensorOfBase64_ReturnsEmbeddingRows()
    {
        var model = new FakeTensorModel([-1, 3, Side, Side]);
        await using var pipeline = Create(model, maxBatch: 1);
        var images = new[] { Image(4), Image(5) };
        using var request = new InferenceRequest
        {
            Inputs = [Tensor.Create<byte[]>("image", [2], images.Select(i => Encoding.ASCII.GetBytes(Convert.ToBase64String(i))).ToArray())],
        };

        using var result = await pipeline.InferAsync(request);

        var output = Assert.Single(result.Outputs);
        Assert.Equal("embedding", output.Name);
        Assert.Equal([2L, Values], output.Shape);
        Assert.Equal(Expected(images[1]), output.AsSpan<float>()[Values..].ToArray());
    }

    [Fact]
    public async Task EmbedImagesAsync_OneCorruptImage_400AndNothingReachesTheEngine()
    {
        var model = new FakeTensorModel([-1, 3, Side, Side]);
        await using var pipeline = Create(model, maxBatch: 4);
        var corrupt = Image(1)[..40];

        var error = await Assert.ThrowsAsync<MaasException>(() => pipeline.EmbedImagesAsync([Image(0), corrupt]).AsTask());

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("Image 1 ", error.Message);
        Assert.Equal(0, model.Calls);
    }

    [Fact]
    public void Create_ModelInputOfAnotherSize_RejectedAtLoad()
    {
        var error = Assert.Throws<MaasException>(() => Create(new FakeTensorModel([-1, 3, 8, 8]), 1));

        Assert.Contains("[3, 4, 4]", error.Message);
    }
}
