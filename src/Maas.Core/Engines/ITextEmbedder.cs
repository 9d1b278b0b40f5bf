namespace Maas.Core.Engines;

/// <summary>A model that turns each text into one vector itself (it owns its tokenizer), e.g. a GGUF embedding model.</summary>
public interface ITextEmbedder : ILoadedModel
{
    /// <summary>Length of each vector.</summary>
    int Dimensions { get; }

    /// <summary>One pooled vector per text (row-major, <c>texts.Count × Dimensions</c>) and the tokens consumed.</summary>
    ValueTask<(float[] Vectors, int TokenCount)> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}
