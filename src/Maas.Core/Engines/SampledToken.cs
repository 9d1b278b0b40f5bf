namespace Maas.Core.Engines;

/// <summary>A sampled token with its log-probability and, when asked for, the most likely alternatives.</summary>
/// <param name="TokenId">The token.</param>
/// <param name="LogProbability">The model's log-probability of the token.</param>
/// <param name="TopAlternatives">The most likely tokens at this step, when asked for.</param>
/// <param name="CompletesGrammar">The sequence's grammar (<see cref="SamplingOptions.Grammar"/>) allows nothing after this token:
/// the generation is over, as after an end-of-generation token.</param>
public sealed record SampledToken(int TokenId, float LogProbability, IReadOnlyList<TokenAlternative>? TopAlternatives = null, bool CompletesGrammar = false);

/// <summary>One of the most likely tokens at a step.</summary>
public sealed record TokenAlternative(int TokenId, float LogProbability);
