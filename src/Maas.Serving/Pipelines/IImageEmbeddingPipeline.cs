namespace Maas.Serving.Pipelines;

/// <summary>A pipeline that turns encoded images (JPEG, PNG, WebP) into vectors; protocols that carry image files
/// (predict, OpenAI embeddings) use this directly, the tensor protocols through its BYTES input <c>image</c>.</summary>
public interface IImageEmbeddingPipeline : IInferencePipeline
{
    /// <summary>Length of each vector.</summary>
    int Dimensions { get; }

    /// <summary>Embeds each image: raw encoded bytes, base64 text or a <c>data:</c> URL. Token count is 0.</summary>
    ValueTask<EmbeddingResult> EmbedImagesAsync(IReadOnlyList<ReadOnlyMemory<byte>> images, CancellationToken cancellationToken = default);
}
