using LLama.Native;
using Maas.Core.Engines;

namespace Maas.Engines.Llama;

/// <summary>One sequence of a <see cref="LlamaTextGenerator"/>: its llama.cpp sequence id, tokens and sampler.</summary>
/// <remarks>
/// Tokens before <see cref="Position"/> are in the KV cache (the first <see cref="CachedTokens"/> of them copied
/// from a cached prefix); the rest (the remaining prompt before the first step, afterwards the last sampled token)
/// go into the next step's batch. The tokens and cell counts live in the sequence's <see cref="LlamaKvEntry"/>, which
/// may outlive the sequence as a cached prefix. Disposing hands the cells back to the generator.
/// </remarks>
internal sealed class LlamaSequence : IGenerationSequence
{
    private readonly LlamaTextGenerator _owner;
    private readonly LlamaKvEntry _entry;

    public LlamaSequence(LlamaTextGenerator owner, LlamaKvEntry entry, TokenSampler sampler)
    {
        _owner = owner;
        _entry = entry;
        Id = (LLamaSeqId)entry.Id;
        CachedTokens = entry.Decoded;
        TokenCount = entry.Tokens.Count;
        Sampler = sampler;
    }

    public LLamaSeqId Id { get; }

    public TokenSampler Sampler { get; }

    /// <summary>Tokens already decoded into the KV cache.</summary>
    public int Position => _entry.Decoded;

    /// <summary>Tokens waiting for the next step.</summary>
    public int PendingCount => _entry.Tokens.Count - Position;

    /// <summary>All tokens of the sequence, prompt and generated: the KV cells it holds once the pending ones
    /// are decoded on the next step.</summary>
    public int TokenCount { get; private set; }

    /// <summary>Prompt tokens whose cells were copied from a cached or running sequence with the same prefix.</summary>
    public int CachedTokens { get; }

    public bool IsReleased { get; private set; }

    internal LlamaTextGenerator Owner => _owner;

    internal LlamaKvEntry Entry => _entry;

    public int TokenAt(int index) => _entry.Tokens[index];

    /// <summary>Marks the pending tokens as decoded and appends the token sampled from them.</summary>
    public void Advance(int sampledToken)
    {
        _entry.Decoded = _entry.Tokens.Count;
        _entry.Tokens.Add(sampledToken);
        TokenCount = _entry.Tokens.Count;
    }

    /// <summary>Called by the generator when the sequence ends; its entry may stay as a cached prefix.</summary>
    public void MarkReleased() => IsReleased = true;

    public void Dispose() => _owner.Release(this);
}
