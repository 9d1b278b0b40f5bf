namespace Maas.Server.Security.Limits;

/// <summary>One caller's token budget: <c>quota</c> tokens per minute, refilled continuously, allowed to go below zero by the last charge.</summary>
internal sealed class TokenBudget
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _quota;
    private readonly double _perSecond;
    private double _tokens;
    private long _stamp;

    public TokenBudget(long tokensPerMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerMinute);
        _time = time;
        _quota = tokensPerMinute;
        _perSecond = tokensPerMinute / 60.0;
        _tokens = _quota;
        _stamp = time.GetTimestamp();
    }

    /// <summary>Tokens left now (negative while a charge is being paid back).</summary>
    public double Available
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens;
            }
        }
    }

    public bool IsFull => Available >= _quota;

    /// <summary>True while anything is left; otherwise how long until something is.</summary>
    public bool TryAdmit(out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            Refill();
            if (_tokens >= 1)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / _perSecond);
            return false;
        }
    }

    /// <summary>Takes what a finished request used.</summary>
    public void Charge(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        lock (_gate)
        {
            Refill();
            _tokens -= tokens;
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_quota, _tokens + (_time.GetElapsedTime(_stamp, now).TotalSeconds * _perSecond));
        _stamp = now;
    }
}
