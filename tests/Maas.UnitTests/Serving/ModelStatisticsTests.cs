using Maas.Serving.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Serving;

public sealed class ModelStatisticsTests
{
    [Fact]
    public void Get_AfterQueueComputeAndOutcomes_AddsUpCountsAndNanoseconds()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var meters = new TestMeterFactory();
        var statistics = new ModelStatistics(clock);
        var metrics = new ServingMetrics(meters, statistics);

        metrics.Queued("m", 1, TimeSpan.FromMilliseconds(2));
        metrics.Queued("m", 1, TimeSpan.FromMilliseconds(3));
        metrics.Computed("m", 1, TimeSpan.FromMilliseconds(10), rows: 5, requests: 2);
        clock.Advance(TimeSpan.FromSeconds(1));
        metrics.Computed("m", 1, TimeSpan.FromMilliseconds(4), rows: 1);
        statistics.Completed("m", 1, success: true, TimeSpan.FromMilliseconds(20));
        statistics.Completed("m", 1, success: false, TimeSpan.FromMilliseconds(1));

        var s = statistics.Get("m", 1);

        Assert.Equal(new StatisticsDuration(2, 5_000_000), s.Queue);
        Assert.Equal(new StatisticsDuration(3, 24_000_000), s.ComputeInfer);
        Assert.Equal(6, s.InferenceCount);
        Assert.Equal(2, s.ExecutionCount);
        Assert.Equal(new StatisticsDuration(1, 20_000_000), s.Success);
        Assert.Equal(new StatisticsDuration(1, 1_000_000), s.Fail);
        Assert.Equal([1, 5], s.Batches.Select(b => b.BatchSize));
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), s.LastInferenceMs);
        Assert.Equal(0, statistics.Get("m", 2).InferenceCount);
    }

    [Fact]
    public void Get_ComputeWithMarkedPhases_SplitsInputInferAndOutput()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var meters = new TestMeterFactory();
        var statistics = new ModelStatistics(clock);
        var metrics = new ServingMetrics(meters, statistics);

        metrics.Computed("m", 1, TimeSpan.FromMilliseconds(10), rows: 4, requests: 2, input: TimeSpan.FromMilliseconds(2), output: TimeSpan.FromMilliseconds(1));

        var s = statistics.Get("m", 1);

        Assert.Equal(new StatisticsDuration(2, 4_000_000), s.ComputeInput);
        Assert.Equal(new StatisticsDuration(2, 14_000_000), s.ComputeInfer);
        Assert.Equal(new StatisticsDuration(2, 2_000_000), s.ComputeOutput);
        var batch = Assert.Single(s.Batches);
        Assert.Equal((2_000_000L, 7_000_000L, 1_000_000L), (batch.ComputeInput.Nanoseconds, batch.ComputeInfer.Nanoseconds, batch.ComputeOutput.Nanoseconds));
    }
}
