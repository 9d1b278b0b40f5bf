namespace Maas.Core.Engines;

/// <summary>One sequence in a generator: its tokens so far; disposing frees its KV-cache cells.</summary>
public interface IGenerationSequence : IDisposable
{
    /// <summary>Tokens held in the KV cache for this sequence (prompt and generated).</summary>
    int TokenCount { get; }

    /// <summary>Prompt tokens whose KV cells were reused from an earlier or concurrent sequence with the same prefix
    /// (prefix caching) instead of being decoded again; 0 for engines without a prefix cache.</summary>
    int CachedTokens => 0;
}
