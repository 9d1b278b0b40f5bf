namespace Maas.Optimization.Quantization.Static;

/// <summary>Streaming statistics of one activation over the calibration runs: min/max on the first pass, then a
/// histogram of |x| over [0, max |x|] on the second (the range is fixed by then, so no re-binning).</summary>
internal sealed class TensorStatistics
{
    public const int DefaultBins = 2048;

    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    public long Count { get; private set; }

    public float AbsMax => Count == 0 ? 0 : Math.Max(Math.Abs(Min), Math.Abs(Max));

    /// <summary>Counts of non-zero |x| in <see cref="DefaultBins"/> equal bins over [0, <see cref="AbsMax"/>]; null
    /// until the second pass starts.</summary>
    public double[]? Histogram { get; private set; }

    public double BinWidth => Histogram is null || AbsMax == 0 ? 0 : AbsMax / Histogram.Length;

    public void AddRange(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var min = Min;
        var max = Max;
        foreach (var v in values)
        {
            if (float.IsNaN(v))
            {
                continue;
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        Min = min;
        Max = max;
        Count += values.Length;
    }

    public void AddHistogram(ReadOnlySpan<float> values, int bins = DefaultBins)
    {
        Histogram ??= new double[bins];
        var hist = Histogram;
        var absMax = AbsMax;
        if (absMax == 0)
        {
            hist[0] += values.Length;
            return;
        }

        var perUnit = hist.Length / absMax;
        var last = hist.Length - 1;
        foreach (var v in values)
        {
            // Exact zeros (Relu's inactive units, padding) quantize exactly at any threshold; counted, they pile into
            // bin 0 and the KL search then clips hard to avoid smearing that spike (pytorch-quantization's skip_zeros).
            if (v == 0 || float.IsNaN(v))
            {
                continue;
            }

            var bin = (int)(Math.Abs(v) * perUnit);
            hist[bin > last ? last : bin]++;
        }
    }
}
