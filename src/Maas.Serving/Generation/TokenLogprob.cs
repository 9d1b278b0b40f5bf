namespace Maas.Serving.Generation;

/// <summary>A sampled token as text and UTF-8 bytes, with its log-probability and the most likely alternatives.</summary>
public sealed record TokenLogprob(string Token, byte[] Bytes, float Logprob, IReadOnlyList<TopLogprob> TopLogprobs);

/// <summary>One of the most likely tokens at a step.</summary>
public sealed record TopLogprob(string Token, byte[] Bytes, float Logprob);
