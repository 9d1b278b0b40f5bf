namespace Maas.Optimization.Quantization.Dynamic;

/// <summary>Symmetric int8 quantization of a row-major matrix (zero point 0, values in [-127, 127]).</summary>
/// <remarks>-128 is left out so the range is symmetric, as ONNX Runtime's own quantizer does for weights.</remarks>
internal static class Int8Weights
{
    public const float Range = 127f;

    /// <summary>Quantizes <paramref name="w"/> ([rows, cols]) with one scale per column, or one for all when
    /// <paramref name="perColumn"/> is false.</summary>
    public static (sbyte[] Values, float[] Scales) ByColumn(ReadOnlySpan<float> w, int rows, int cols, bool perColumn)
    {
        var maxAbs = new float[perColumn ? cols : 1];
        for (var r = 0; r < rows; r++)
        {
            var row = w.Slice(r * cols, cols);
            for (var c = 0; c < cols; c++)
            {
                ref var m = ref maxAbs[perColumn ? c : 0];
                m = MathF.Max(m, MathF.Abs(row[c]));
            }
        }

        var scales = Array.ConvertAll(maxAbs, ScaleFor);
        var values = new sbyte[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                values[(r * cols) + c] = Quantize(w[(r * cols) + c], scales[perColumn ? c : 0]);
            }
        }

        return (values, scales);
    }

    /// <summary>Quantizes <paramref name="w"/> ([rows, cols]) with one scale per column in each run of
    /// <paramref name="block"/> rows (scales [rows / block, cols]); <paramref name="block"/> divides <paramref name="rows"/>.</summary>
    public static (sbyte[] Values, float[] Scales) ByColumnBlocks(ReadOnlySpan<float> w, int rows, int cols, int block)
    {
        var values = new sbyte[rows * cols];
        var scales = new float[rows / block * cols];
        for (var b = 0; b < rows / block; b++)
        {
            var (q, s) = ByColumn(w.Slice(b * block * cols, block * cols), block, cols, true);
            q.CopyTo(values, b * block * cols);
            s.CopyTo(scales, b * cols);
        }

        return (values, scales);
    }

    /// <summary>Quantizes <paramref name="w"/> ([rows, cols]) with one scale per row (embedding tables).</summary>
    public static (sbyte[] Values, float[] Scales) ByRow(ReadOnlySpan<float> w, int rows, int cols)
    {
        var values = new sbyte[rows * cols];
        var scales = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = w.Slice(r * cols, cols);
            var maxAbs = 0f;
            foreach (var v in row)
            {
                maxAbs = MathF.Max(maxAbs, MathF.Abs(v));
            }

            scales[r] = ScaleFor(maxAbs);
            for (var c = 0; c < cols; c++)
            {
                values[(r * cols) + c] = Quantize(row[c], scales[r]);
            }
        }

        return (values, scales);
    }

    /// <summary>A column of zeros gets scale 1 (any positive scale reproduces it; 0 would divide by zero).</summary>
    private static float ScaleFor(float maxAbs) => maxAbs > 0f && float.IsFinite(maxAbs) ? maxAbs / Range : 1f;

    private static sbyte Quantize(float value, float scale) => (sbyte)Math.Clamp(MathF.Round(value / scale, MidpointRounding.ToEven), -Range, Range);
}
