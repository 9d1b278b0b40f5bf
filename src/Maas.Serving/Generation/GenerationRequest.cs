using Maas.Core.Engines;

namespace Maas.Serving.Generation;

/// <summary>One text generation: a prompt (already templated for chat) and how to continue it.</summary>
/// <remarks>
/// <see cref="MaxTokens"/> null lets the server choose (the configured default, shortened to what fits in the
/// KV cache); an explicit value that cannot fit is rejected rather than silently cut.
/// </remarks>
public sealed record GenerationRequest
{
    /// <summary>The text to continue.</summary>
    public required string Prompt { get; init; }

    /// <summary>Whether tokenizing adds the model's special tokens (BOS) in front of the prompt.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>Most tokens to generate; null: the server's default.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Sampling settings handed to the engine.</summary>
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>Texts that end the generation; the matched text is not returned.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Report each generated token with its log-probability (and <see cref="SamplingOptions.TopLogprobs"/> alternatives).</summary>
    public bool Logprobs { get; init; }
}
