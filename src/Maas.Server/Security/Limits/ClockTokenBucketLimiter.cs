using System.Threading.RateLimiting;

namespace Maas.Server.Security.Limits;

/// <summary>A token bucket that refills continuously from a <see cref="TimeProvider"/>: <c>rate</c> permits per second,
/// holding at most one second's worth (at least one), no queue.</summary>
/// <remarks>
/// The built-in <see cref="TokenBucketRateLimiter"/> reads the stopwatch and a timer of its own, so a test would have
/// to sleep; this one reads the injected clock, so tests move time instead. A refused lease carries
/// <see cref="MetadataName.RetryAfter"/>: when the next permit will be there.
/// </remarks>
internal sealed class ClockTokenBucketLimiter : RateLimiter
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _rate;
    private readonly double _capacity;
    private double _tokens;
    private long _stamp;
    private long _successful;
    private long _failed;

    public ClockTokenBucketLimiter(double permitsPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitsPerSecond);
        _time = time;
        _rate = permitsPerSecond;
        _capacity = Math.Max(1, permitsPerSecond);
        _tokens = _capacity;
        _stamp = time.GetTimestamp();
    }

    /// <summary>How long the bucket has been full (nothing to remember): the partitioned limiter drops it after a while.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                Refill();
                if (_tokens < _capacity)
                {
                    return null;
                }

                return _time.GetElapsedTime(_stamp);
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)_tokens,
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        if (permitCount > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, "More permits than the bucket holds.");
        }

        lock (_gate)
        {
            Refill();
            var needed = Math.Max(permitCount, 1);
            if (_tokens >= needed)
            {
                if (_tokens >= _capacity)
                {
                    // Leaving the full state: refills count from now, not from when it filled up.
                    _stamp = _time.GetTimestamp();
                }

                _tokens -= permitCount;
                _successful++;
                return BucketLease.Granted;
            }

            _failed++;
            return new BucketLease(false, TimeSpan.FromSeconds((needed - _tokens) / _rate));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_stamp, now).TotalSeconds;
        if (_tokens >= _capacity)
        {
            // Full: the stamp stays where it filled up, so IdleDuration measures from there.
            return;
        }

        _tokens = Math.Min(_capacity, _tokens + (elapsed * _rate));
        _stamp = now;
    }
}
