using Maas.Optimization.Evaluation;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Optimization;

public sealed class InterleavedThroughputTests
{
    [Fact]
    public async Task MeasureAsync_ResultTwiceAsFast_ReportsRatesFromTheClock()
    {
        var time = new FakeTimeProvider();
        var order = new List<string>();
        var meter = new InterleavedThroughput(time, rounds: 4, measurementTime: TimeSpan.FromMilliseconds(100));

        var (parent, result) = await meter.MeasureAsync(
            _ => { order.Add("A"); time.Advance(TimeSpan.FromMilliseconds(20)); return Task.FromResult(4); },
            _ => { order.Add("B"); time.Advance(TimeSpan.FromMilliseconds(10)); return Task.FromResult(4); },
            CancellationToken.None);

        Assert.Equal(200, parent, 6);
        Assert.Equal(400, result, 6);

        // Warm-up and sizing (A B A B), then rounds alternating which side goes first: 5 A calls, 10 B calls each.
        var rounds = string.Concat(order.Skip(4));
        Assert.Equal(string.Concat(new string('A', 5), new string('B', 10), new string('B', 10), new string('A', 5)), rounds[..30]);
    }

    [Fact]
    public void Median_EvenAndOdd_AreTheMiddle()
    {
        Assert.Equal(2, InterleavedThroughput.Median([3, 1, 2]));
        Assert.Equal(2.5, InterleavedThroughput.Median([4, 1, 2, 3]));
    }

    [Fact]
    public void Agreement_Measures_AreCorrect()
    {
        Assert.Equal(1, Agreement.CosineSimilarity([1.0, 2.0], [2.0, 4.0]), 9);
        Assert.Equal(0, Agreement.CosineSimilarity([1.0, 0.0], [0.0, 3.0]), 9);
        Assert.Equal(-1, Agreement.CosineSimilarity([1.0, 1.0], [-1.0, -1.0]), 9);
        Assert.Equal(0.5, Agreement.TokenPrefixAgreement([1, 2, 3, 4], [1, 2, 9, 4]));
        Assert.Equal(1, Agreement.TokenPrefixAgreement([], []));
        Assert.Equal(2, Agreement.ArgMax([0.1, 0.2, 0.9, 0.3]));
    }
}
