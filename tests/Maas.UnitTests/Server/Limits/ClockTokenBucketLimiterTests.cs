using System.Threading.RateLimiting;
using Maas.Server.Security.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Server.Limits;

public sealed class ClockTokenBucketLimiterTests
{
    [Fact]
    public void AttemptAcquire_BurstSpent_RefusesWithRetryAfterUntilClockMoves()
    {
        var time = new FakeTimeProvider();
        using var limiter = new ClockTokenBucketLimiter(2, time);

        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        using var refused = limiter.AttemptAcquire();

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retry));
        Assert.Equal(TimeSpan.FromMilliseconds(500), retry);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void AttemptAcquire_LongIdle_RefillsOnlyToOneSecondsWorth()
    {
        var time = new FakeTimeProvider();
        using var limiter = new ClockTokenBucketLimiter(3, time);
        time.Advance(TimeSpan.FromMinutes(10));

        var granted = Enumerable.Range(0, 10).Count(_ => limiter.AttemptAcquire().IsAcquired);

        Assert.Equal(3, granted);
    }

    [Fact]
    public void AttemptAcquire_FractionalRate_AllowsOneRequestPerPeriod()
    {
        var time = new FakeTimeProvider();
        using var limiter = new ClockTokenBucketLimiter(0.5, time);

        Assert.True(limiter.AttemptAcquire().IsAcquired);
        using var refused = limiter.AttemptAcquire();
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retry));
        Assert.Equal(TimeSpan.FromSeconds(2), retry);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void IdleDuration_FullBucket_GrowsWithTimeAndIsNullWhileRefilling()
    {
        var time = new FakeTimeProvider();
        using var limiter = new ClockTokenBucketLimiter(1, time);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), limiter.IdleDuration);

        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.Null(limiter.IdleDuration);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.NotNull(limiter.IdleDuration);
    }

    [Fact]
    public void GetStatistics_AfterGrantsAndRefusals_CountsBoth()
    {
        using var limiter = new ClockTokenBucketLimiter(1, new FakeTimeProvider());
        limiter.AttemptAcquire().Dispose();
        limiter.AttemptAcquire().Dispose();

        var statistics = limiter.GetStatistics()!;

        Assert.Equal(1, statistics.TotalSuccessfulLeases);
        Assert.Equal(1, statistics.TotalFailedLeases);
        Assert.Equal(0, statistics.CurrentAvailablePermits);
    }
}
