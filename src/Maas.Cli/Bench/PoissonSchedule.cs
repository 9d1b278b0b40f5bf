namespace Maas.Cli.Bench;

/// <summary>Arrival times of an open-loop load: a Poisson process of <c>rate</c> requests per second, seeded so that
/// two runs send at the same moments.</summary>
/// <remarks>Gaps are exponentially distributed with mean 1/rate, as vLLM's benchmark and perf_analyzer's
/// <c>--request-distribution poisson</c> draw them.</remarks>
internal sealed class PoissonSchedule
{
    private readonly Random _random;
    private readonly double _rate;
    private double _seconds;

    public PoissonSchedule(double rate, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        _rate = rate;
        _random = new Random(seed);
    }

    /// <summary>The next arrival, as time since the start of the level.</summary>
    public TimeSpan Next()
    {
        // 1 - U lies in (0, 1], so the logarithm is finite.
        _seconds += -Math.Log(1 - _random.NextDouble()) / _rate;
        return TimeSpan.FromSeconds(_seconds);
    }
}
