using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Processing;

namespace Maas.Serving.Pipelines;

/// <summary>Embeddings from a model that tokenizes and pools by itself (GGUF on llama.cpp); vectors are L2-normalised,
/// as llama.cpp's own server does by default.</summary>
internal sealed class TextEmbedderPipeline(ITextEmbedder embedder, int maxTexts) : IEmbeddingPipeline
{
    public IReadOnlyList<TensorSpec> Inputs { get; } = [new TensorSpec(TextInput.Name, TensorDataType.Bytes, [-1])];

    public IReadOnlyList<TensorSpec> Outputs { get; } = [new TensorSpec(EmbeddingPipeline.EmbeddingOutput, TensorDataType.Fp32, [-1, embedder.Dimensions])];

    public int Dimensions => embedder.Dimensions;

    public PipelineLoad Load => default;

    public long MemoryBytes => embedder.MemoryBytes;

    public bool TryApply(DeploymentSettings settings) => false;

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

        var (vectors, tokens) = await embedder.EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
        Pooling.L2Normalize(vectors, texts.Count, embedder.Dimensions);
        return new EmbeddingResult(vectors, texts.Count, embedder.Dimensions, tokens);
    }

    public ValueTask DisposeAsync() => embedder.DisposeAsync();
}
