namespace Maas.Optimization.Quantization.Static;

/// <summary>Clipping thresholds for |x| from a histogram over [0, max |x|]: percentile and KL-divergence (entropy).</summary>
internal static class CalibrationThresholds
{
    /// <summary>The smallest bin edge below which <paramref name="percentile"/> % of the values lie.</summary>
    public static double Percentile(double[] histogram, double binWidth, double percentile)
    {
        var total = histogram.Sum();
        if (total == 0)
        {
            return 0;
        }

        var target = total * percentile / 100.0;
        double cumulative = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            cumulative += histogram[i];
            if (cumulative >= target)
            {
                return (i + 1) * binWidth;
            }
        }

        return histogram.Length * binWidth;
    }

    /// <summary>TensorRT's entropy calibration (Migacz, "8-bit Inference with TensorRT", GTC 2017), as ONNX Runtime and
    /// MXNet implement it: for each candidate i ≥ <paramref name="quantizedBins"/> bins, P = the first i bins with
    /// the tail folded into the last, Q = those bins merged into <paramref name="quantizedBins"/> levels and spread back
    /// over the non-empty bins; the threshold is the edge of the i with the least KL(P‖Q).</summary>
    public static double Entropy(double[] histogram, double binWidth, int quantizedBins = 128)
    {
        var bins = histogram.Length;
        if (histogram.Sum() == 0 || bins <= quantizedBins)
        {
            return bins * binWidth;
        }

        var bestDivergence = double.PositiveInfinity;
        var bestBins = bins;
        var p = new double[bins];
        var q = new double[bins];
        var tail = new double[bins + 1];
        for (var i = bins - 1; i >= 0; i--)
        {
            tail[i] = tail[i + 1] + histogram[i];
        }

        for (var i = quantizedBins; i <= bins; i++)
        {
            Array.Copy(histogram, p, i);
            p[i - 1] += tail[i];

            // Merge the first i bins into quantizedBins levels (the last level takes the remainder), then spread each
            // level's count evenly over the bins that were non-empty in the reference.
            var merged = i / quantizedBins;
            for (var j = 0; j < quantizedBins; j++)
            {
                var start = j * merged;
                var end = j == quantizedBins - 1 ? i : start + merged;
                double sum = 0;
                var nonEmpty = 0;
                for (var k = start; k < end; k++)
                {
                    sum += histogram[k];
                    nonEmpty += histogram[k] != 0 ? 1 : 0;
                }

                for (var k = start; k < end; k++)
                {
                    q[k] = histogram[k] != 0 ? sum / nonEmpty : 0;
                }
            }

            var divergence = Divergence(p, q, i);
            if (divergence < bestDivergence)
            {
                bestDivergence = divergence;
                bestBins = i;
            }
        }

        return bestBins * binWidth;
    }

    /// <summary>KL(P‖Q) over the first <paramref name="length"/> bins, after MXNet's <c>_smooth_distribution</c> (eps 1e-4
    /// added to the empty bins' counts, taken evenly from the others) so a Q that misses mass where P has some is
    /// penalised rather than infinite; both are normalised as <c>scipy.stats.entropy</c> does.</summary>
    private static double Divergence(double[] p, double[] q, int length)
    {
        var ps = Smooth(p, length);
        var qs = Smooth(q, length);
        if (ps is null || qs is null)
        {
            return double.PositiveInfinity;
        }

        double divergence = 0;
        for (var k = 0; k < length; k++)
        {
            divergence += ps[k] * Math.Log(ps[k] / qs[k]);
        }

        return divergence;
    }

    private static double[]? Smooth(double[] counts, int length, double eps = 1e-4)
    {
        var zeros = 0;
        for (var k = 0; k < length; k++)
        {
            zeros += counts[k] == 0 ? 1 : 0;
        }

        var nonZeros = length - zeros;
        if (nonZeros == 0)
        {
            return null;
        }

        var take = eps * zeros / nonZeros;
        var result = new double[length];
        double sum = 0;
        for (var k = 0; k < length; k++)
        {
            result[k] = counts[k] == 0 ? eps : counts[k] - take;
            if (result[k] <= 0)
            {
                return null;
            }

            sum += result[k];
        }

        for (var k = 0; k < length; k++)
        {
            result[k] /= sum;
        }

        return result;
    }
}
