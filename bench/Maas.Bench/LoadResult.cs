namespace Maas.Bench;

/// <summary>What one timed run measured: completed requests, elapsed time and each request's latency.</summary>
internal sealed record LoadResult(int Requests, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double Throughput => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * (sorted.Length - 1)))];
    }
}
