using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Batching;
using Maas.Serving.Processing;
using Maas.Serving.Processing.Images;

namespace Maas.Serving.Pipelines;

/// <summary>Image embeddings: encoded image → the manifest's image steps (<see cref="ImagePreprocessor"/>) → model →
/// the output flattened to one vector per image (optionally L2-normalised).</summary>
/// <remarks>
/// Protocol view: input BYTES <c>image</c> [N], output FP32 <c>embedding</c> [N, D]. Images are decoded and
/// pre-processed on the caller's thread, then the request's [N, C, H, W] tensor goes through the version's batch
/// queue and <see cref="TensorBatchExecutor"/>, which merges concurrent requests along the batch dimension when the
/// model's is symbolic. A model whose batch dimension is fixed at 1 gets one queued call per image.
/// </remarks>
internal sealed class ImageEmbeddingPipeline : IImageEmbeddingPipeline
{
    public const string EmbeddingOutput = "embedding";

    private readonly ITensorModel _model;
    private readonly ImagePreprocessor _preprocessor;
    private readonly ImageOptions _options;
    private readonly TensorSpec _input;
    private readonly string _output;
    private readonly bool _normalize;
    private readonly bool _onePerCall;
    private readonly TensorBatchExecutor _executor;
    private readonly BatchQueue<TensorBatchRequest, InferenceResult> _queue;

    public ImageEmbeddingPipeline(ITensorModel model, ModelManifest manifest, IReadOnlyDictionary<string, string> files, ImageOptions options, BatchingContext batching)
    {
        _model = model;
        _options = options;
        _preprocessor = new ImagePreprocessor(manifest.PreProcessing, files, options);
        if (model.Inputs is not [var input] || input.DataType != TensorDataType.Fp32 || input.Shape.Count != 4)
        {
            throw MaasException.InvalidArgument("An image embeddings model needs exactly one FP32 input of rank 4 (a batch of images).");
        }

        if (!input.Accepts([1, .. _preprocessor.ImageShape]))
        {
            throw MaasException.InvalidArgument(
                $"The image steps make images of shape [{string.Join(", ", _preprocessor.ImageShape)}]; the model's input '{input.Name}' is [{string.Join(", ", input.Shape)}].");
        }

        _input = input;
        _onePerCall = input.Shape[0] >= 0;
        var output = model.Outputs.FirstOrDefault(o => o.DataType == TensorDataType.Fp32 && o.Shape.Count >= 2)
            ?? throw MaasException.InvalidArgument("An image embeddings model needs an FP32 output of shape [batch, ...].");
        if (output.Shape.Skip(1).Any(d => d < 1))
        {
            throw MaasException.InvalidArgument($"The output '{output.Name}' [{string.Join(", ", output.Shape)}] must have fixed dimensions after the batch.");
        }

        _output = output.Name;
        Dimensions = checked((int)output.Shape.Skip(1).Aggregate(1L, (a, b) => a * b));
        _normalize = manifest.PostProcessing.Any(s => s.Name == ProcessingSteps.L2Normalize);
        Inputs = [new TensorSpec(ImageInput.Name, TensorDataType.Bytes, [-1])];
        Outputs = [new TensorSpec(EmbeddingOutput, TensorDataType.Fp32, [-1, Dimensions])];
        _executor = new TensorBatchExecutor(model);
        _queue = batching.CreateQueue(_executor);
    }

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    public int Dimensions { get; }

    public PipelineLoad Load => _queue.Load;

    public long MemoryBytes => _model.MemoryBytes;

    public bool TryApply(DeploymentSettings settings) => _queue.TryApply(settings);

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var images = ImageInput.Read(request, EmbeddingOutput);
        var result = await EmbedImagesAsync(images, cancellationToken).ConfigureAwait(false);
        return new InferenceResult([Tensor.Create(EmbeddingOutput, [result.Count, result.Dimensions], result.Vectors)]);
    }

    public async ValueTask<EmbeddingResult> EmbedImagesAsync(IReadOnlyList<ReadOnlyMemory<byte>> images, CancellationToken cancellationToken = default)
    {
        if (images.Count == 0)
        {
            throw MaasException.InvalidArgument("The batch is empty: give at least one image.");
        }

        if (images.Count > _options.MaxImagesPerRequest)
        {
            throw new MaasException(MaasErrorKind.PayloadTooLarge, $"{images.Count} images in one request; the limit is {_options.MaxImagesPerRequest} (Maas:Serving:Images:MaxImagesPerRequest).");
        }

        var vectors = new float[images.Count * Dimensions];
        if (_onePerCall)
        {
            var calls = new Task[images.Count];
            for (var i = 0; i < images.Count; i++)
            {
                calls[i] = RunAsync(images, i, 1, vectors, cancellationToken).AsTask();
            }

            await Task.WhenAll(calls).ConfigureAwait(false);
        }
        else
        {
            await RunAsync(images, 0, images.Count, vectors, cancellationToken).ConfigureAwait(false);
        }

        if (_normalize)
        {
            Pooling.L2Normalize(vectors, images.Count, Dimensions);
        }

        return new EmbeddingResult(vectors, images.Count, Dimensions, 0);
    }

    /// <summary>Pre-processes images [first, first + count) into one tensor, runs it through the queue and copies the
    /// flattened outputs into <paramref name="vectors"/>.</summary>
    private async ValueTask RunAsync(IReadOnlyList<ReadOnlyMemory<byte>> images, int first, int count, float[] vectors, CancellationToken cancellationToken)
    {
        var elements = _preprocessor.ImageElements;
        using var request = new InferenceRequest
        {
            Inputs = [Tensor.Rent<float>(_input.Name, [count, .. _preprocessor.ImageShape])],
            RequestedOutputs = [_output],
        };
        var values = request.Inputs[0].AsSpan<float>();
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var encoded = EncodedImage.Resolve(images[first + i], first + i);
            _preprocessor.Process(encoded.Span, values.Slice(i * elements, elements), first + i);
        }

        using var result = await _queue.EnqueueAsync(_executor.Describe(request), cancellationToken).ConfigureAwait(false);
        var output = result.Outputs.FirstOrDefault(o => o.Name == _output) ?? result.Outputs[0];
        if (output.ElementCount != count * Dimensions)
        {
            throw new MaasException(MaasErrorKind.Internal, $"The model returned shape [{string.Join(", ", output.Shape)}] for {count} images; expected {Dimensions} values per image.");
        }

        output.AsSpan<float>().CopyTo(vectors.AsSpan(first * Dimensions, count * Dimensions));
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        await _model.DisposeAsync().ConfigureAwait(false);
    }
}
