namespace Maas.Serving.Generation;

/// <summary>Bounds for one generator's scheduler (from <see cref="ServingOptions"/>).</summary>
/// <param name="MaxSequences">Sequences decoded together; further capped by the loaded context.</param>
/// <param name="MaxQueue">Requests waiting to start; more are rejected with 429.</param>
/// <param name="Deadline">Longest a request may take, waiting included.</param>
/// <param name="DefaultMaxTokens">Token limit when a request names none.</param>
internal sealed record TokenSchedulerOptions(int MaxSequences, int MaxQueue, TimeSpan Deadline, int DefaultMaxTokens);
