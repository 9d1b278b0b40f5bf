namespace Maas.Cli.Bench;

/// <summary>Failed requests of one kind (<c>HTTP 429</c>, <c>timeout</c>, <c>connection</c>), the first message seen,
/// and how long those requests took to fail (from the first byte sent to the end of the answer, or to the error).</summary>
internal sealed record ErrorCount(string Kind, int Count, string Sample, LatencySummary LatencyMs);
