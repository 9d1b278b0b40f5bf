namespace Maas.Core.Engines;

/// <summary>A sampled token with its log-probability and, when asked for, the most likely alternatives.</summary>
public sealed record SampledToken(int TokenId, float LogProbability, IReadOnlyList<TokenAlternative>? TopAlternatives = null);

/// <summary>One of the most likely tokens at a step.</summary>
public sealed record TokenAlternative(int TokenId, float LogProbability);
