using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

public sealed class PoissonScheduleTests
{
    [Fact]
    public void Next_ManyArrivals_AverageTheRequestedRate()
    {
        var schedule = new PoissonSchedule(200, seed: 1);
        var last = TimeSpan.Zero;
        for (var i = 0; i < 20_000; i++)
        {
            last = schedule.Next();
        }

        // 20,000 arrivals at 200/s take 100 s; the standard deviation of the sum is sqrt(n)/rate = 0.7 s.
        Assert.InRange(last.TotalSeconds, 97, 103);
    }

    [Fact]
    public void Next_SameSeed_GivesSameArrivals()
    {
        var a = new PoissonSchedule(50, seed: 42);
        var b = new PoissonSchedule(50, seed: 42);

        Assert.Equal(Enumerable.Range(0, 100).Select(_ => a.Next()), Enumerable.Range(0, 100).Select(_ => b.Next()));
    }

    [Fact]
    public void Next_DifferentSeeds_GiveDifferentArrivals()
    {
        var a = new PoissonSchedule(50, seed: 1);
        var b = new PoissonSchedule(50, seed: 2);

        Assert.NotEqual(Enumerable.Range(0, 10).Select(_ => a.Next()), Enumerable.Range(0, 10).Select(_ => b.Next()));
    }

    [Fact]
    public void Next_Gaps_AreExponentiallyDistributed()
    {
        var schedule = new PoissonSchedule(100, seed: 7);
        var previous = TimeSpan.Zero;
        var gaps = new List<double>();
        for (var i = 0; i < 20_000; i++)
        {
            var next = schedule.Next();
            gaps.Add((next - previous).TotalSeconds);
            previous = next;
        }

        // An exponential distribution's standard deviation equals its mean (1/rate); a fixed pace would have none.
        var mean = gaps.Average();
        var deviation = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / gaps.Count);
        Assert.InRange(deviation / mean, 0.95, 1.05);
        Assert.All(gaps, g => Assert.True(g >= 0));
    }

    [Fact]
    public void Constructor_ZeroRate_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => new PoissonSchedule(0, 1));
}
