using Maas.Core.Errors;
using Maas.Core.Tensors;

namespace Maas.Optimization.Evaluation;

/// <summary>Builds tensors of any numeric element type from doubles and reads them back as doubles, so inputs and
/// agreement metrics need not care which type a model declares.</summary>
internal static class TensorValues
{
    public static bool IsNumeric(TensorDataType type) => type is not TensorDataType.Bytes;

    /// <summary>A tensor of <paramref name="type"/> whose element <c>i</c> is <paramref name="value"/>(i), converted
    /// (rounded for integers, non-zero for bool).</summary>
    public static Tensor Create(string name, TensorDataType type, long[] shape, Func<int, double> value)
    {
        var count = Tensor.CountElements(shape);
        return type switch
        {
            TensorDataType.Fp32 => Tensor.Create(name, shape, Fill(count, i => (float)value(i))),
            TensorDataType.Fp64 => Tensor.Create(name, shape, Fill(count, value)),
            TensorDataType.Fp16 => Tensor.Create(name, shape, Fill(count, i => (Half)value(i))),
            TensorDataType.Int64 => Tensor.Create(name, shape, Fill(count, i => (long)Math.Round(value(i)))),
            TensorDataType.Int32 => Tensor.Create(name, shape, Fill(count, i => (int)Math.Round(value(i)))),
            TensorDataType.Int16 => Tensor.Create(name, shape, Fill(count, i => (short)Math.Round(value(i)))),
            TensorDataType.Int8 => Tensor.Create(name, shape, Fill(count, i => (sbyte)Math.Clamp(Math.Round(value(i)), sbyte.MinValue, sbyte.MaxValue))),
            TensorDataType.UInt8 => Tensor.Create(name, shape, Fill(count, i => (byte)Math.Clamp(Math.Round(value(i)), 0, byte.MaxValue))),
            TensorDataType.UInt16 => Tensor.Create(name, shape, Fill(count, i => (ushort)Math.Clamp(Math.Round(value(i)), 0, ushort.MaxValue))),
            TensorDataType.UInt32 => Tensor.Create(name, shape, Fill(count, i => (uint)Math.Max(0, Math.Round(value(i))))),
            TensorDataType.UInt64 => Tensor.Create(name, shape, Fill(count, i => (ulong)Math.Max(0, Math.Round(value(i))))),
            TensorDataType.Bool => Tensor.Create(name, shape, Fill(count, i => value(i) != 0)),
            _ => throw MaasException.InvalidArgument($"Input '{name}' is {type.ToProtocolName()}; evaluation inputs are numeric tensors or texts."),
        };
    }

    /// <summary>The elements as doubles.</summary>
    public static double[] ToDoubles(Tensor tensor) => tensor.DataType switch
    {
        TensorDataType.Fp32 => Convert(tensor.AsSpan<float>(), v => v),
        TensorDataType.Fp64 => tensor.AsSpan<double>().ToArray(),
        TensorDataType.Fp16 => Convert(tensor.AsSpan<Half>(), v => (double)v),
        TensorDataType.Int64 => Convert(tensor.AsSpan<long>(), v => v),
        TensorDataType.Int32 => Convert(tensor.AsSpan<int>(), v => v),
        TensorDataType.Int16 => Convert(tensor.AsSpan<short>(), v => v),
        TensorDataType.Int8 => Convert(tensor.AsSpan<sbyte>(), v => v),
        TensorDataType.UInt8 => Convert(tensor.AsSpan<byte>(), v => v),
        TensorDataType.UInt16 => Convert(tensor.AsSpan<ushort>(), v => v),
        TensorDataType.UInt32 => Convert(tensor.AsSpan<uint>(), v => v),
        TensorDataType.UInt64 => Convert(tensor.AsSpan<ulong>(), v => v),
        TensorDataType.Bool => Convert(tensor.AsSpan<bool>(), v => v ? 1 : 0),
        _ => throw MaasException.InvalidArgument($"Output '{tensor.Name}' is {tensor.DataType.ToProtocolName()}, which cannot be compared numerically."),
    };

    /// <summary>Repeats a batch-1 tensor <paramref name="rows"/> times along the first dimension.</summary>
    public static Tensor Tile(Tensor row, int rows)
    {
        var shape = (long[])row.Shape.Clone();
        var perRow = shape.Length == 0 || shape[0] == 0 ? row.ElementCount : row.ElementCount / (int)shape[0];
        shape[0] = rows;
        var values = ToDoubles(row);
        return Create(row.Name, row.DataType, shape, i => values[i % perRow]);
    }

    private static T[] Fill<T>(int count, Func<int, T> value)
    {
        var data = new T[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = value(i);
        }

        return data;
    }

    private static double[] Convert<T>(Span<T> span, Func<T, double> convert)
    {
        var result = new double[span.Length];
        for (var i = 0; i < span.Length; i++)
        {
            result[i] = convert(span[i]);
        }

        return result;
    }
}
