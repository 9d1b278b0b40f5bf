using System.Threading.RateLimiting;

namespace Maas.Server.Security.Limits;

/// <summary>The lease a <see cref="ClockTokenBucketLimiter"/> hands out: granted, or refused with when to retry.</summary>
internal sealed class BucketLease : RateLimitLease
{
    public static readonly BucketLease Granted = new(true, null);

    private static readonly string[] RetryAfterOnly = [MetadataName.RetryAfter.Name];

    private readonly TimeSpan? _retryAfter;

    public BucketLease(bool acquired, TimeSpan? retryAfter)
    {
        IsAcquired = acquired;
        _retryAfter = retryAfter;
    }

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : RetryAfterOnly;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retry && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retry;
            return true;
        }

        metadata = null;
        return false;
    }
}
