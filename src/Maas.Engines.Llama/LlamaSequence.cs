using LLama.Native;
using Maas.Core.Engines;

namespace Maas.Engines.Llama;

/// <summary>One sequence of a <see cref="LlamaTextGenerator"/>: its llama.cpp sequence id, tokens and sampler.</summary>
/// <remarks>
/// Tokens before <see cref="Position"/> are in the KV cache; the rest (the whole prompt before the first step,
/// afterwards the last sampled token) go into the next step's batch. Disposing removes the sequence's KV cells
/// and returns its id to the generator.
/// </remarks>
internal sealed class LlamaSequence : IGenerationSequence
{
    private readonly LlamaTextGenerator _owner;
    private readonly List<int> _tokens;

    public LlamaSequence(LlamaTextGenerator owner, LLamaSeqId id, IReadOnlyList<int> prompt, TokenSampler sampler)
    {
        _owner = owner;
        Id = id;
        _tokens = [.. prompt];
        Sampler = sampler;
    }

    public LLamaSeqId Id { get; }

    public TokenSampler Sampler { get; }

    /// <summary>Tokens already decoded into the KV cache.</summary>
    public int Position { get; private set; }

    /// <summary>Tokens waiting for the next step.</summary>
    public int PendingCount => _tokens.Count - Position;

    /// <summary>All tokens of the sequence, prompt and generated: the KV cells it holds once the pending ones
    /// are decoded on the next step.</summary>
    public int TokenCount => _tokens.Count;

    public bool IsReleased { get; private set; }

    internal LlamaTextGenerator Owner => _owner;

    public int TokenAt(int index) => _tokens[index];

    /// <summary>Marks the pending tokens as decoded and appends the token sampled from them.</summary>
    public void Advance(int sampledToken)
    {
        Position = _tokens.Count;
        _tokens.Add(sampledToken);
    }

    public void MarkReleased() => IsReleased = true;

    public void Dispose() => _owner.Release(this);
}
