using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Maas.Core.Tensors;

namespace Maas.Formats.Onnx;

/// <summary>Encodes a typed array as a <c>TensorProto</c>: fixed-size elements as little-endian <c>raw_data</c>, strings as <c>string_data</c>.</summary>
internal static class OnnxTensorEncoder
{
    public static void Write(ProtoWriter writer, string name, TensorDataType dataType, long[] dims, Array values)
    {
        foreach (var dim in dims)
        {
            writer.WriteVarint(OnnxFields.TensorDims, dim);
        }

        writer.WriteVarint(OnnxFields.TensorDataType, OnnxElementTypes.ToOnnx(dataType));
        writer.WriteString(OnnxFields.TensorName, name);
        if (dataType == TensorDataType.Bytes)
        {
            // raw_data cannot hold variable-length elements; the schema keeps strings in string_data.
            foreach (var element in values)
            {
                writer.WriteBytes(OnnxFields.TensorStringData, element is string text ? Encoding.UTF8.GetBytes(text) : (byte[])element);
            }
        }
        else
        {
            writer.WriteBytes(OnnxFields.TensorRawData, ToRawData(values));
        }
    }

    /// <summary>True when <paramref name="values"/> is an array of the CLR type that holds <paramref name="dataType"/>.</summary>
    public static bool Fits(TensorDataType dataType, Array values)
    {
        var elementType = values.GetType().GetElementType();
        return values.Rank == 1
            && (elementType == dataType.ElementType() || (dataType == TensorDataType.Bytes && elementType == typeof(string)));
    }

    private static byte[] ToRawData(Array values) => values switch
    {
        bool[] v => Encode(v, 1, static (span, x) => span[0] = x ? (byte)1 : (byte)0),
        byte[] v => (byte[])v.Clone(),
        sbyte[] v => Encode(v, 1, static (span, x) => span[0] = unchecked((byte)x)),
        short[] v => Encode(v, 2, BinaryPrimitives.WriteInt16LittleEndian),
        ushort[] v => Encode(v, 2, BinaryPrimitives.WriteUInt16LittleEndian),
        int[] v => Encode(v, 4, BinaryPrimitives.WriteInt32LittleEndian),
        uint[] v => Encode(v, 4, BinaryPrimitives.WriteUInt32LittleEndian),
        long[] v => Encode(v, 8, BinaryPrimitives.WriteInt64LittleEndian),
        ulong[] v => Encode(v, 8, BinaryPrimitives.WriteUInt64LittleEndian),
        Half[] v => Encode(v, 2, BinaryPrimitives.WriteHalfLittleEndian),
        float[] v => Encode(v, 4, BinaryPrimitives.WriteSingleLittleEndian),
        double[] v => Encode(v, 8, BinaryPrimitives.WriteDoubleLittleEndian),
        _ => throw new ArgumentException($"{values.GetType()} is not a tensor element array.", nameof(values)),
    };

    // Element by element rather than a memory cast, so the bytes are little-endian whatever the host is.
    private static byte[] Encode<T>(T[] values, int size, SpanAction<byte, T> write)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            write(bytes.AsSpan(i * size, size), values[i]);
        }

        return bytes;
    }
}
