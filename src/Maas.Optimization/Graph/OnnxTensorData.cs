using System.Runtime.InteropServices;
using Google.Protobuf;
using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using DataType = Maas.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace Maas.Optimization.Graph;

/// <summary>Converts between <see cref="TensorProto"/> and typed arrays.</summary>
/// <remarks>Reads both storage forms (little-endian <c>raw_data</c> and the typed fields <c>float_data</c>,
/// <c>int32_data</c>, <c>int64_data</c>, <c>double_data</c>); writes <c>raw_data</c>, which every runtime reads and
/// which can move to external data. External data must be loaded first (<c>OnnxModelFile.Load</c> does).</remarks>
internal static class OnnxTensorData
{
    static OnnxTensorData()
    {
        // raw_data is little-endian by the ONNX specification; reinterpreting bytes is only right on such machines.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX tensor conversion needs a little-endian machine.");
        }
    }

    public static long ElementCount(TensorProto tensor)
    {
        long count = 1;
        foreach (var dim in tensor.Dims)
        {
            count = checked(count * dim);
        }

        return count;
    }

    public static DataType ElementType(TensorProto tensor) => (DataType)tensor.DataType;

    public static float[] ToFloats(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return ElementType(tensor) switch
        {
            DataType.Float => Read(tensor, t => t.FloatData.ToArray()),
            DataType.Float16 => Array.ConvertAll(ToHalves(tensor), h => (float)h),
            DataType.Double => Array.ConvertAll(Read(tensor, t => t.DoubleData.ToArray()), d => (float)d),
            _ => throw Unsupported(tensor, "float"),
        };
    }

    public static Half[] ToHalves(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return ElementType(tensor) switch
        {
            // Typed storage keeps each 16-bit pattern in an int32.
            DataType.Float16 => Read(tensor, t => t.Int32Data.Select(v => BitConverter.UInt16BitsToHalf((ushort)v)).ToArray()),
            DataType.Float => Array.ConvertAll(ToFloats(tensor), f => (Half)f),
            _ => throw Unsupported(tensor, "float16"),
        };
    }

    public static sbyte[] ToInt8(TensorProto tensor) => ElementType(tensor) == DataType.Int8
        ? Read(tensor, t => t.Int32Data.Select(v => (sbyte)v).ToArray())
        : throw Unsupported(tensor, "int8");

    public static byte[] ToUInt8(TensorProto tensor) => ElementType(tensor) == DataType.Uint8
        ? Read(tensor, t => t.Int32Data.Select(v => (byte)v).ToArray())
        : throw Unsupported(tensor, "uint8");

    public static long[] ToInt64(TensorProto tensor) => ElementType(tensor) switch
    {
        DataType.Int64 => Read(tensor, t => t.Int64Data.ToArray()),
        DataType.Int32 => Array.ConvertAll(Read(tensor, t => t.Int32Data.ToArray()), v => (long)v),
        _ => throw Unsupported(tensor, "int64"),
    };

    public static TensorProto FromFloats(string name, long[] dims, ReadOnlySpan<float> values) => Create(name, DataType.Float, dims, values);

    public static TensorProto FromHalves(string name, long[] dims, ReadOnlySpan<Half> values) => Create(name, DataType.Float16, dims, values);

    public static TensorProto FromInt8(string name, long[] dims, ReadOnlySpan<sbyte> values) => Create(name, DataType.Int8, dims, values);

    public static TensorProto FromUInt8(string name, long[] dims, ReadOnlySpan<byte> values) => Create(name, DataType.Uint8, dims, values);

    public static TensorProto FromInt32(string name, long[] dims, ReadOnlySpan<int> values) => Create(name, DataType.Int32, dims, values);

    public static TensorProto FromInt64(string name, long[] dims, ReadOnlySpan<long> values) => Create(name, DataType.Int64, dims, values);

    private static TensorProto Create<T>(string name, DataType type, long[] dims, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);
        var count = dims.Aggregate(1L, (a, d) => checked(a * d));
        if (count != values.Length)
        {
            throw new ArgumentException($"Tensor '{name}' has {count} elements by its dims but {values.Length} values.", nameof(values));
        }

        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return tensor;
    }

    private static T[] Read<T>(TensorProto tensor, Func<TensorProto, T[]> typed)
        where T : unmanaged
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' is still in external data; load the model with OnnxModelFile.Load.");
        }

        var count = ElementCount(tensor);
        T[] values;
        if (tensor.HasRawData)
        {
            var raw = tensor.RawData.Span;
            if (raw.Length != count * Marshal.SizeOf<T>())
            {
                throw MaasException.InvalidArgument($"Tensor '{tensor.Name}' has {raw.Length} bytes of raw data for {count} elements.");
            }

            values = MemoryMarshal.Cast<byte, T>(raw).ToArray();
        }
        else
        {
            values = typed(tensor);
        }

        return values.Length == count
            ? values
            : throw MaasException.InvalidArgument($"Tensor '{tensor.Name}' has {values.Length} values for {count} elements.");
    }

    private static InvalidOperationException Unsupported(TensorProto tensor, string wanted) =>
        new($"Tensor '{tensor.Name}' is {ElementType(tensor)}, not readable as {wanted}.");
}
