namespace Maas.Core.Engines;

/// <summary>One sequence in a generator: its tokens so far; disposing frees its KV-cache cells.</summary>
public interface IGenerationSequence : IDisposable
{
    /// <summary>Tokens held in the KV cache for this sequence (prompt and generated).</summary>
    int TokenCount { get; }
}
