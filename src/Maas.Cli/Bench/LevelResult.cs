namespace Maas.Cli.Bench;

/// <summary>What one level measured: client-side throughput and latency, errors, and the server's own split.</summary>
/// <param name="Level">"concurrency 4" or "rate 50/s".</param>
/// <param name="Concurrency">Closed-loop clients, or null for an open-loop level.</param>
/// <param name="Rate">Target arrivals per second of an open-loop level, or null.</param>
/// <param name="Requests">Requests sent (succeeded + failed).</param>
/// <param name="Succeeded">Requests answered with a 2xx status.</param>
/// <param name="Failed">Requests answered with an error status, timed out, or lost their connection.</param>
/// <param name="Rows">Rows carried by the successful requests.</param>
/// <param name="DurationSeconds">From the first request sent to the last answer received.</param>
/// <param name="Throughput">Successful requests per second.</param>
/// <param name="RowsPerSecond">Rows of successful requests per second.</param>
/// <param name="LatencyMs">Latency of successful requests; null when none succeeded.</param>
/// <param name="Errors">Failures by kind, most frequent first.</param>
/// <param name="Server">Queue, compute and batch figures from the server's metrics; null when it has no /metrics.</param>
/// <param name="SendRate">Requests per second the client actually sent (first to last send); for an open-loop level,
/// below <paramref name="Rate"/> when the client could not keep up. Null with fewer than two requests.</param>
internal sealed record LevelResult(
    string Level,
    int? Concurrency,
    double? Rate,
    int Requests,
    int Succeeded,
    int Failed,
    long Rows,
    double DurationSeconds,
    double Throughput,
    double RowsPerSecond,
    LatencySummary? LatencyMs,
    IReadOnlyList<ErrorCount> Errors,
    ServerSplit? Server,
    double? SendRate);
