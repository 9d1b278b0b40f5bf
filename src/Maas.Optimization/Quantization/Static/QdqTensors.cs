using System.Runtime.InteropServices;
using Google.Protobuf;
using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Reads float initializers and writes the small typed initializers the static pass emits (quantized weights,
/// scales, zero points).</summary>
/// <remarks>Kept inside this folder on purpose (the shared graph helpers were built in parallel); the lead may fold it
/// into them.</remarks>
internal static class QdqTensors
{
    /// <summary>The elements of a FLOAT initializer (raw_data, float_data, or an external data file beside the model).</summary>
    public static float[] ReadFloats(TensorProto tensor, string? modelDirectory)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw MaasException.InvalidArgument($"Initializer '{tensor.Name}' is not float (ONNX type {tensor.DataType}).");
        }

        var count = 1L;
        foreach (var d in tensor.Dims)
        {
            count *= d;
        }

        float[] values;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            values = MemoryMarshal.Cast<byte, float>(ReadExternal(tensor, modelDirectory)).ToArray();
        }
        else if (tensor.HasRawData)
        {
            values = MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        }
        else
        {
            values = [.. tensor.FloatData];
        }

        return values.Length == count
            ? values
            : throw MaasException.InvalidArgument($"Initializer '{tensor.Name}' holds {values.Length} values for {count} elements.");
    }

    /// <summary>Moves external data into the tensor (so the written model is self-contained).</summary>
    public static void Inline(TensorProto tensor, string? modelDirectory)
    {
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            return;
        }

        tensor.RawData = ByteString.CopyFrom(ReadExternal(tensor, modelDirectory));
        tensor.ExternalData.Clear();
        tensor.ClearDataLocation();
    }

    public static TensorProto Floats(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }

    public static TensorProto Int8(string name, long[] dims, sbyte[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int8 };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }

    public static TensorProto UInt8(string name, long[] dims, byte[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Uint8 };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(values);
        return t;
    }

    public static TensorProto Int32(string name, long[] dims, int[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int32 };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }

    private static byte[] ReadExternal(TensorProto tensor, string? modelDirectory)
    {
        string? location = null;
        long offset = 0;
        long length = -1;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "length": length = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }

        if (location is null || modelDirectory is null || Path.IsPathRooted(location) || location.Contains("..", StringComparison.Ordinal))
        {
            throw MaasException.InvalidArgument($"Initializer '{tensor.Name}' has external data without a usable location.");
        }

        using var stream = File.OpenRead(Path.Combine(modelDirectory, location));
        stream.Position = offset;
        var size = length >= 0 ? length : stream.Length - offset;
        var buffer = new byte[size];
        stream.ReadExactly(buffer);
        return buffer;
    }
}
