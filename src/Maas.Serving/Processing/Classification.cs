using System.Globalization;
using Maas.Core.Errors;
using Maas.Core.Tensors;

namespace Maas.Serving.Processing;

/// <summary>Top-K classes of a classifier output, and their string form of the Open Inference Protocol classification
/// extension (<c>"score:index[:label]"</c>).</summary>
/// <remarks>Classes lie along the last axis; every other axis is a row (a batch item). Classes are sorted by score,
/// highest first, ties by index. The score is written in its shortest round-trip form, so a client reads back exactly
/// the value the model produced.</remarks>
public static class Classification
{
    /// <summary>The top <paramref name="k"/> classes of each row of <paramref name="output"/> (fewer when it has fewer classes).</summary>
    /// <exception cref="MaasException">InvalidArgument when the output is not numeric or has no class axis.</exception>
    public static IReadOnlyList<ClassScore[]> TopK(Tensor output, int k, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (output.DataType is TensorDataType.Bytes or TensorDataType.Bool || output.Shape.Length == 0 || output.Shape[^1] == 0)
        {
            throw MaasException.InvalidArgument(
                $"Output '{output.Name}' ({output.DataType.ToProtocolName()} [{string.Join(", ", output.Shape)}]) cannot be classified: it needs a numeric class axis.");
        }

        var classes = (int)output.Shape[^1];
        var rows = output.ElementCount / classes;
        var scores = ToDoubles(output);
        var take = Math.Min(k, classes);
        var result = new ClassScore[rows][];
        var order = new int[classes];
        for (var row = 0; row < rows; row++)
        {
            var rowScores = scores.AsSpan(row * classes, classes);
            for (var i = 0; i < classes; i++)
            {
                order[i] = i;
            }

            var copy = rowScores.ToArray();
            Array.Sort(order, (a, b) => copy[b].CompareTo(copy[a]) is var c && c != 0 ? c : a.CompareTo(b));
            var top = new ClassScore[take];
            for (var i = 0; i < take; i++)
            {
                var index = order[i];
                top[i] = new ClassScore(index, copy[index], labels is not null && index < labels.Count ? labels[index] : null);
            }

            result[row] = top;
        }

        return result;
    }

    /// <summary>A BYTES tensor of the same name whose last axis holds the top <paramref name="k"/> classes of each row as
    /// <c>"score:index[:label]"</c> strings.</summary>
    public static Tensor ToStrings(Tensor output, int k, IReadOnlyList<string>? labels = null)
    {
        var rows = TopK(output, k, labels);
        var take = rows.Count == 0 ? Math.Min(k, (int)output.Shape[^1]) : rows[0].Length;
        var values = new List<string>(rows.Count * take);
        foreach (var row in rows)
        {
            foreach (var c in row)
            {
                values.Add(Format(c));
            }
        }

        var shape = (long[])output.Shape.Clone();
        shape[^1] = take;
        return Tensor.FromStrings(output.Name, shape, values);
    }

    /// <summary><c>"score:index"</c>, or <c>"score:index:label"</c> when the class has a label.</summary>
    public static string Format(ClassScore score)
    {
        // A score that came from an FP32 output is written as that float's shortest form (0.25, not 0.25000000372529).
        var value = (double)(float)score.Score == score.Score
            ? ((float)score.Score).ToString("R", CultureInfo.InvariantCulture)
            : score.Score.ToString("R", CultureInfo.InvariantCulture);
        return score.Label is null
            ? string.Create(CultureInfo.InvariantCulture, $"{value}:{score.Index}")
            : string.Create(CultureInfo.InvariantCulture, $"{value}:{score.Index}:{score.Label}");
    }

    private static double[] ToDoubles(Tensor tensor)
    {
        var values = new double[tensor.ElementCount];
        switch (tensor.DataType)
        {
            // FP32 scores are widened exactly, so their "R" form is the float's own value.
            case TensorDataType.Fp32: Copy(tensor.AsSpan<float>(), values, static v => v); break;
            case TensorDataType.Fp64: tensor.AsSpan<double>().CopyTo(values); break;
            case TensorDataType.Fp16: Copy(tensor.AsSpan<Half>(), values, static v => (double)v); break;
            case TensorDataType.UInt8: Copy(tensor.AsSpan<byte>(), values, static v => v); break;
            case TensorDataType.UInt16: Copy(tensor.AsSpan<ushort>(), values, static v => v); break;
            case TensorDataType.UInt32: Copy(tensor.AsSpan<uint>(), values, static v => v); break;
            case TensorDataType.UInt64: Copy(tensor.AsSpan<ulong>(), values, static v => v); break;
            case TensorDataType.Int8: Copy(tensor.AsSpan<sbyte>(), values, static v => v); break;
            case TensorDataType.Int16: Copy(tensor.AsSpan<short>(), values, static v => v); break;
            case TensorDataType.Int32: Copy(tensor.AsSpan<int>(), values, static v => v); break;
            case TensorDataType.Int64: Copy(tensor.AsSpan<long>(), values, static v => v); break;
        }

        return values;
    }

    private static void Copy<T>(Span<T> source, double[] destination, Func<T, double> convert)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = convert(source[i]);
        }
    }
}
