namespace Maas.Serving.Pipelines;

/// <summary>A pipeline that turns texts into vectors; protocols that speak text (predict, OpenAI embeddings) use this directly.</summary>
public interface IEmbeddingPipeline : IInferencePipeline
{
    /// <summary>Length of each vector.</summary>
    int Dimensions { get; }

    /// <summary>Embeds each text; returns one vector per text plus the number of tokens consumed.</summary>
    ValueTask<EmbeddingResult> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}

/// <summary>Vectors (row-major, <c>Count × Dimensions</c>) and the tokens they cost.</summary>
public sealed record EmbeddingResult(float[] Vectors, int Count, int Dimensions, int TokenCount)
{
    public ReadOnlySpan<float> this[int index] => Vectors.AsSpan(index * Dimensions, Dimensions);
}
