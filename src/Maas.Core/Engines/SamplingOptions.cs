namespace Maas.Core.Engines;

/// <summary>Per-sequence sampling settings, OpenAI-style.</summary>
public sealed record SamplingOptions
{
    public float Temperature { get; init; } = 1f;

    public float TopP { get; init; } = 1f;

    public float PresencePenalty { get; init; }

    public float FrequencyPenalty { get; init; }

    /// <summary>How many most-likely alternatives to report per token (0: none).</summary>
    public int TopLogprobs { get; init; }

    /// <summary>Seed for this sequence's own random state; null draws one.</summary>
    public uint? Seed { get; init; }
}
