using Maas.Optimization.Quantization.Static;

namespace Maas.UnitTests.Optimization;

/// <summary>The three range methods on known distributions.</summary>
public sealed class StaticCalibrationTests
{
    [Fact]
    public void MinMax_NormalWithOutlier_KeepsTheOutlier()
    {
        var stats = Collect(NormalWithOutlier());

        Assert.Equal(-1000f, stats.Min);
        Assert.True(stats.Max is > 3.5f and < 6f, $"max {stats.Max}");
        Assert.Equal(1000f, stats.AbsMax);
    }

    [Fact]
    public void Percentile_NormalWithOutlier_ClipsTheOutlier()
    {
        var stats = Collect(NormalWithOutlier());

        var threshold = CalibrationThresholds.Percentile(stats.Histogram!, stats.BinWidth, 99.99);

        // 99.99% of |N(0,1)| lies below ~3.9; one bin of 1000/2048 ≈ 0.49 of resolution.
        Assert.InRange(threshold, 3.0, 5.0);
        var (min, max) = QuantParams.Clip(stats, threshold);
        Assert.Equal(-threshold, min, 3);
        Assert.True(max <= threshold);
    }

    [Fact]
    public void Percentile_OneHundred_KeepsTheMaximum()
    {
        var stats = Collect(NormalWithOutlier());

        Assert.Equal(1000, CalibrationThresholds.Percentile(stats.Histogram!, stats.BinWidth, 100), 3);
    }

    [Fact]
    public void Entropy_LongTailedDistribution_ThresholdBelowTheMaximumAndAboveTheBulk()
    {
        // Laplace(0, 1): max |x| over 200k samples ≈ 12, but nearly all mass lies below 6.
        var random = new Random(3);
        var values = new float[200_000];
        for (var i = 0; i < values.Length; i++)
        {
            var u = random.NextDouble() - 0.5;
            values[i] = (float)(-Math.Sign(u) * Math.Log(1 - (2 * Math.Abs(u))));
        }

        var stats = Collect(values);
        var threshold = CalibrationThresholds.Entropy(stats.Histogram!, stats.BinWidth);

        Assert.True(threshold < 0.8 * stats.AbsMax, $"threshold {threshold} vs max {stats.AbsMax}");
        Assert.True(threshold > 3, $"threshold {threshold}");
    }

    [Fact]
    public void Entropy_UniformDistribution_KeepsNearlyTheWholeRange()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 200_000).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        var stats = Collect(values);
        var threshold = CalibrationThresholds.Entropy(stats.Histogram!, stats.BinWidth);

        Assert.InRange(threshold, 0.9 * stats.AbsMax, stats.AbsMax + 1e-6);
    }

    [Fact]
    public void ForActivation_ReluRange_Uint8ZeroPointIsZeroAndInt8Symmetric()
    {
        var asymmetric = QuantParams.ForActivation(0, 2.55f, symmetric: false);
        var symmetric = QuantParams.ForActivation(-1f, 2.54f, symmetric: true);

        Assert.Equal(0, asymmetric.ZeroPoint);
        Assert.Equal(0.01f, asymmetric.Scale, 5);
        Assert.Equal(0, symmetric.ZeroPoint);
        Assert.Equal(0.02f, symmetric.Scale, 5);
        Assert.InRange(QuantParams.ForActivation(-1, 1, symmetric: false).ZeroPoint, 127, 128);
    }

    private static float[] NormalWithOutlier()
    {
        var random = new Random(1);
        var values = new float[100_000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)StaticTestGraph.Normal(random);
        }

        values[1234] = -1000;
        return values;
    }

    /// <summary>Streams the values in chunks, as calibration runs do: ranges first, histograms second.</summary>
    private static TensorStatistics Collect(float[] values)
    {
        var stats = new TensorStatistics();
        foreach (var chunk in values.Chunk(10_000))
        {
            stats.AddRange(chunk);
        }

        foreach (var chunk in values.Chunk(10_000))
        {
            stats.AddHistogram(chunk);
        }

        return stats;
    }
}
