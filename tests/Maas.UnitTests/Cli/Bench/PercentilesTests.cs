using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

public sealed class PercentilesTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(50, 3)]
    [InlineData(90, 4.6)]
    [InlineData(100, 5)]
    public void Of_FiveValues_InterpolatesBetweenRanks(double percent, double expected) =>
        Assert.Equal(expected, Percentiles.Of([1, 2, 3, 4, 5], percent), 9);

    [Fact]
    public void Of_OneValue_IsThatValue() => Assert.Equal(7, Percentiles.Of([7], 99));

    [Fact]
    public void Of_Empty_IsNaN() => Assert.True(double.IsNaN(Percentiles.Of([], 50)));

    [Fact]
    public void Of_HundredValues_MatchesNumPy()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

        // numpy.percentile(range(1, 101), [95, 99]) == [95.05, 99.01]
        Assert.Equal(95.05, Percentiles.Of(values, 95), 9);
        Assert.Equal(99.01, Percentiles.Of(values, 99), 9);
    }

    [Fact]
    public void From_UnsortedLatencies_SortsAndOrdersPercentiles()
    {
        var summary = LatencySummary.From([9, 1, 5, 3, 7, 2, 8, 4, 6, 10]);

        Assert.NotNull(summary);
        Assert.Equal(5.5, summary.P50, 9);
        Assert.Equal(5.5, summary.Mean, 9);
        Assert.Equal(10, summary.Max);
        Assert.True(summary.P50 <= summary.P90 && summary.P90 <= summary.P95 && summary.P95 <= summary.P99 && summary.P99 <= summary.Max);
    }

    [Fact]
    public void From_NoLatencies_IsNull() => Assert.Null(LatencySummary.From([]));
}
