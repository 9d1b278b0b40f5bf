using System.Text.Json;
using System.Text.Unicode;
using Maas.Core.Tensors;

namespace Maas.Server.Protocols;

/// <summary>Writes tensor elements as JSON values: flat arrays, or nested by shape for the plain predict API.</summary>
/// <remarks>JSON has no NaN or infinity: such floats are written as the strings "NaN", "Infinity", "-Infinity".
/// BYTES elements are written as strings when they are valid UTF-8, else as base64.</remarks>
internal static class TensorJson
{
    /// <summary>Writes all elements as one flat array.</summary>
    public static void WriteData(Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteStartArray();
        for (var i = 0; i < tensor.ElementCount; i++)
        {
            WriteElement(writer, tensor, i);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes the elements nested by shape (<c>[[1,2],[3,4]]</c>); a rank-0 tensor is a bare value.</summary>
    public static void WriteNested(Utf8JsonWriter writer, Tensor tensor, int firstDimension = 0)
    {
        var index = 0;
        WriteNested(writer, tensor, firstDimension, ref index);
    }

    private static void WriteNested(Utf8JsonWriter writer, Tensor tensor, int dimension, ref int index)
    {
        if (dimension == tensor.Shape.Length)
        {
            WriteElement(writer, tensor, index++);
            return;
        }

        writer.WriteStartArray();
        for (var i = 0; i < tensor.Shape[dimension]; i++)
        {
            WriteNested(writer, tensor, dimension + 1, ref index);
        }

        writer.WriteEndArray();
    }

    public static void WriteElement(Utf8JsonWriter writer, Tensor tensor, int i)
    {
        switch (tensor.DataType)
        {
            case TensorDataType.Bool: writer.WriteBooleanValue(tensor.AsSpan<bool>()[i]); break;
            case TensorDataType.UInt8: writer.WriteNumberValue(tensor.AsSpan<byte>()[i]); break;
            case TensorDataType.UInt16: writer.WriteNumberValue(tensor.AsSpan<ushort>()[i]); break;
            case TensorDataType.UInt32: writer.WriteNumberValue(tensor.AsSpan<uint>()[i]); break;
            case TensorDataType.UInt64: writer.WriteNumberValue(tensor.AsSpan<ulong>()[i]); break;
            case TensorDataType.Int8: writer.WriteNumberValue(tensor.AsSpan<sbyte>()[i]); break;
            case TensorDataType.Int16: writer.WriteNumberValue(tensor.AsSpan<short>()[i]); break;
            case TensorDataType.Int32: writer.WriteNumberValue(tensor.AsSpan<int>()[i]); break;
            case TensorDataType.Int64: writer.WriteNumberValue(tensor.AsSpan<long>()[i]); break;
            case TensorDataType.Fp16: WriteFloat(writer, (float)tensor.AsSpan<Half>()[i]); break;
            case TensorDataType.Fp32: WriteFloat(writer, tensor.AsSpan<float>()[i]); break;
            case TensorDataType.Fp64: WriteDouble(writer, tensor.AsSpan<double>()[i]); break;
            default: WriteBytes(writer, tensor.GetBytes(i)); break;
        }
    }

    public static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteBytes(Utf8JsonWriter writer, ReadOnlySpan<byte> value)
    {
        if (Utf8.IsValid(value))
        {
            writer.WriteStringValue(value);
        }
        else
        {
            writer.WriteBase64StringValue(value);
        }
    }
}
