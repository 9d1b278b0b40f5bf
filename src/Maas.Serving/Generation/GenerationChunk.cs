namespace Maas.Serving.Generation;

/// <summary>A piece of a generation's output: new text, the tokens behind it, and on the last chunk why it ended.</summary>
/// <param name="Text">Text added since the previous chunk (may be empty while a possible stop string is held back).</param>
/// <param name="Logprobs">The tokens sampled since the previous chunk, when log-probabilities were asked for.</param>
/// <param name="FinishReason"><c>stop</c> or <c>length</c> on the last chunk; null before.</param>
/// <param name="Usage">Token counts, on the last chunk only.</param>
public sealed record GenerationChunk(
    string Text,
    IReadOnlyList<TokenLogprob>? Logprobs = null,
    string? FinishReason = null,
    GenerationUsage? Usage = null);
