using Maas.Core.Grammars;

namespace Maas.Core.Engines;

/// <summary>Per-sequence sampling settings, OpenAI-style.</summary>
public sealed record SamplingOptions
{
    public float Temperature { get; init; } = 1f;

    public float TopP { get; init; } = 1f;

    public float PresencePenalty { get; init; }

    public float FrequencyPenalty { get; init; }

    /// <summary>Keep only the K most likely tokens (0: off).</summary>
    public int TopK { get; init; }

    /// <summary>Keep only tokens whose probability is at least this fraction of the most likely one's (0: off).</summary>
    public float MinP { get; init; }

    /// <summary>llama.cpp's repetition penalty over the last <see cref="RepetitionWindow"/> tokens (1: off).</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>How many recent tokens (prompt and generated) <see cref="RepetitionPenalty"/> looks at (llama.cpp's repeat_last_n).</summary>
    public int RepetitionWindow { get; init; } = 64;

    /// <summary>OpenAI logit_bias: added to a token's logit before sampling; -100 bans the token.</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    /// <summary>How many most-likely alternatives to report per token (0: none).</summary>
    public int TopLogprobs { get; init; }

    /// <summary>Seed for this sequence's own random state; null draws one.</summary>
    public uint? Seed { get; init; }

    /// <summary>Constrains the output to sentences of this grammar: tokens that cannot continue it are masked out before
    /// sampling (after logit bias and penalties, before top-k/top-p/min-p), end tokens are allowed only where the grammar
    /// may end, and the sequence ends (<see cref="SampledToken.CompletesGrammar"/>) once nothing may follow. Null: free text.</summary>
    public GbnfGrammar? Grammar { get; init; }
}
