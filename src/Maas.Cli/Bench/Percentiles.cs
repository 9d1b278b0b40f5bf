namespace Maas.Cli.Bench;

/// <summary>Percentiles of a sample, interpolated linearly between the closest ranks (NumPy's default).</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="percent"/>th percentile (0–100) of <paramref name="sorted"/>, which must be ascending.</summary>
    public static double Of(IReadOnlyList<double> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = percent / 100 * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
