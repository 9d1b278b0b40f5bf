namespace Maas.Cli.Bench;

/// <summary>Latency of a level's successful requests, in milliseconds.</summary>
internal sealed record LatencySummary(double Mean, double P50, double P90, double P95, double P99, double Max)
{
    /// <summary>Summarizes latencies given in milliseconds (in any order); null when there are none.</summary>
    public static LatencySummary? From(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        return new LatencySummary(
            sorted.Average(),
            Percentiles.Of(sorted, 50),
            Percentiles.Of(sorted, 90),
            Percentiles.Of(sorted, 95),
            Percentiles.Of(sorted, 99),
            sorted[^1]);
    }
}
