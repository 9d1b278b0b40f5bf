namespace Maas.Optimization.Quantization.Static;

/// <summary>Scale and zero point of one quantized tensor: <c>x ≈ (q − ZeroPoint) · Scale</c>.</summary>
internal readonly record struct QuantParams(float Scale, int ZeroPoint)
{
    /// <summary>uint8 asymmetric (the range is widened to include 0, so 0 is exact) or int8 symmetric (zero point 0).</summary>
    public static QuantParams ForActivation(float min, float max, bool symmetric)
    {
        var lo = Math.Min(min, 0f);
        var hi = Math.Max(max, 0f);
        if (symmetric)
        {
            var absMax = Math.Max(-lo, hi);
            return new QuantParams(absMax > 0 ? absMax / 127f : 1f, 0);
        }

        if (hi - lo <= 0)
        {
            return new QuantParams(1f, 0);
        }

        var scale = (hi - lo) / 255f;
        var zeroPoint = (int)Math.Clamp(Math.Round(-lo / scale), 0, 255);
        return new QuantParams(scale, zeroPoint);
    }

    /// <summary>The range an activation is quantized to: min/max, or min/max clipped to ±threshold.</summary>
    public static (float Min, float Max) Clip(TensorStatistics stats, double? threshold) => threshold is { } t
        ? (Math.Max(stats.Min, (float)-t), Math.Min(stats.Max, (float)t))
        : (stats.Min, stats.Max);
}
