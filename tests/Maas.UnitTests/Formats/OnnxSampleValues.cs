using System.Runtime.InteropServices;
using Maas.Core.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Maas.UnitTests.Formats;

/// <summary>Distinct sample values of every tensor data type, and their round trip through ONNX Runtime values.</summary>
internal static class OnnxSampleValues
{
    public static TheoryData<TensorDataType> AllDataTypes => new(TensorDataTypes.All);

    /// <summary>Six values per type, chosen to include each type's extremes so truncation or sign errors show.</summary>
    public static Array Six(TensorDataType type) => type switch
    {
        TensorDataType.Bool => new[] { true, false, false, true, true, false },
        TensorDataType.UInt8 => new byte[] { 0, 1, 2, 127, 128, 255 },
        TensorDataType.UInt16 => new ushort[] { 0, 1, 300, 32768, 65000, ushort.MaxValue },
        TensorDataType.UInt32 => new uint[] { 0, 1, 70000, 1u << 31, 4_000_000_000, uint.MaxValue },
        TensorDataType.UInt64 => new ulong[] { 0, 1, 1ul << 40, 1ul << 63, 12345678901234567890, ulong.MaxValue },
        TensorDataType.Int8 => new sbyte[] { sbyte.MinValue, -1, 0, 1, 42, sbyte.MaxValue },
        TensorDataType.Int16 => new short[] { short.MinValue, -300, 0, 1, 300, short.MaxValue },
        TensorDataType.Int32 => new[] { int.MinValue, -70000, 0, 1, 70000, int.MaxValue },
        TensorDataType.Int64 => new[] { long.MinValue, -(1L << 40), 0, 1, 1L << 40, long.MaxValue },
        TensorDataType.Fp16 => new[] { (Half)(-2.5f), Half.Zero, (Half)0.125f, Half.One, (Half)1000f, Half.MaxValue },
        TensorDataType.Fp32 => new[] { -1.5f, 0f, 0.1f, 1f, 3.25e10f, float.MaxValue },
        TensorDataType.Fp64 => new[] { -1.5, 0, 0.1, 1, 3.25e100, double.MaxValue },
        TensorDataType.Bytes => new[] { "", "a", "héllo", "maas", "onnx", "🙂" },
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>An ONNX Runtime tensor holding <paramref name="values"/>, built from their little-endian bytes.</summary>
    public static OrtValue ToOrtValue(TensorDataType type, Array values, long[] shape)
    {
        if (type == TensorDataType.Bytes)
        {
            var strings = (string[])values;
            var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            for (var i = 0; i < strings.Length; i++)
            {
                text.StringTensorSetElementAt(strings[i].AsSpan(), i);
            }

            return text;
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, ElementType(type), shape);
        RawBytes(values).CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    /// <summary>The elements of an ONNX Runtime tensor as an array of the type <see cref="Six"/> returns.</summary>
    public static Array FromOrtValue(TensorDataType type, OrtValue value)
    {
        if (type == TensorDataType.Bytes)
        {
            return value.GetStringTensorAsArray();
        }

        var raw = value.GetTensorMutableRawData();
        var result = Array.CreateInstance(type.ElementType(), raw.Length / type.ElementSize());
        if (result is Half[] halves)
        {
            raw.CopyTo(MemoryMarshal.AsBytes(halves.AsSpan()));
        }
        else
        {
            Buffer.BlockCopy(raw.ToArray(), 0, result, 0, raw.Length);
        }

        return result;
    }

    private static byte[] RawBytes(Array values)
    {
        if (values is Half[] halves)
        {
            return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
        }

        var bytes = new byte[Buffer.ByteLength(values)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    // ORT's enum uses the ONNX schema's numbers; spelled out so a wrong mapping in the code under test cannot hide.
    private static TensorElementType ElementType(TensorDataType type) => type switch
    {
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.UInt16 => TensorElementType.UInt16,
        TensorDataType.UInt32 => TensorElementType.UInt32,
        TensorDataType.UInt64 => TensorElementType.UInt64,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int16 => TensorElementType.Int16,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.Fp16 => TensorElementType.Float16,
        TensorDataType.Fp32 => TensorElementType.Float,
        TensorDataType.Fp64 => TensorElementType.Double,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
