using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Batching;

namespace Maas.Serving.Pipelines;

/// <summary>Embeddings from a model that tokenizes and pools by itself (GGUF on llama.cpp); vectors are L2-normalised,
/// as llama.cpp's own server does by default.</summary>
/// <remarks>Requests go through the version's queue (bounded, deadline- and cancellation-aware) one per engine call.</remarks>
internal sealed class TextEmbedderPipeline(ITextEmbedder embedder, int maxTexts, BatchingContext batching) : IEmbeddingPipeline
{
    private readonly BatchQueue<IReadOnlyList<string>, EmbeddingResult> _queue = batching.CreateQueue(new TextEmbedderBatchExecutor(embedder));

    public IReadOnlyList<TensorSpec> Inputs { get; } = [new TensorSpec(TextInput.Name, TensorDataType.Bytes, [-1])];

    public IReadOnlyList<TensorSpec> Outputs { get; } = [new TensorSpec(EmbeddingPipeline.EmbeddingOutput, TensorDataType.Fp32, [-1, embedder.Dimensions])];

    public int Dimensions => embedder.Dimensions;

    public PipelineLoad Load => _queue.Load;

    public long MemoryBytes => embedder.MemoryBytes;

    /// <summary>Queue settings apply live; threads are fixed when llama.cpp's context is created.</summary>
    public bool TryApply(DeploymentSettings settings) => _queue.TryApply(settings);

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var texts = TextInput.Read(request, TextInput.Name, EmbeddingPipeline.EmbeddingOutput);
        var result = await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
        return new InferenceResult([Tensor.Create(EmbeddingPipeline.EmbeddingOutput, [result.Count, result.Dimensions], result.Vectors)]);
    }

    public async ValueTask<EmbeddingResult> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0)
        {
            throw MaasException.InvalidArgument("The batch is empty: give at least one text.");
        }

        if (texts.Count > maxTexts)
        {
            throw new MaasException(MaasErrorKind.PayloadTooLarge, $"{texts.Count} texts in one request; the limit is {maxTexts}.");
        }

        return await _queue.EnqueueAsync(texts, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        await embedder.DisposeAsync().ConfigureAwait(false);
    }
}
