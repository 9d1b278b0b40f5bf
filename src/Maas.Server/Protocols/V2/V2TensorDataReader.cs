using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Tensors;

namespace Maas.Server.Protocols.V2;

/// <summary>Reads a tensor's JSON <c>data</c> (flat or nested arrays, row-major) into a typed, pooled array.</summary>
internal static class V2TensorDataReader
{
    public static Tensor Read(string name, TensorDataType type, long[] shape, int count, ReadOnlySpan<byte> json)
    {
        var tensor = type switch
        {
            TensorDataType.Bool => Tensor.Rent<bool>(name, shape),
            TensorDataType.UInt8 => Tensor.Rent<byte>(name, shape),
            TensorDataType.UInt16 => Tensor.Rent<ushort>(name, shape),
            TensorDataType.UInt32 => Tensor.Rent<uint>(name, shape),
            TensorDataType.UInt64 => Tensor.Rent<ulong>(name, shape),
            TensorDataType.Int8 => Tensor.Rent<sbyte>(name, shape),
            TensorDataType.Int16 => Tensor.Rent<short>(name, shape),
            TensorDataType.Int32 => Tensor.Rent<int>(name, shape),
            TensorDataType.Int64 => Tensor.Rent<long>(name, shape),
            TensorDataType.Fp16 => Tensor.Rent<Half>(name, shape),
            TensorDataType.Fp32 => Tensor.Rent<float>(name, shape),
            TensorDataType.Fp64 => Tensor.Rent<double>(name, shape),
            _ => null,
        };
        using var strings = tensor is null ? new BytesTensorBuilder(json.Length) : null;
        try
        {
            var reader = new Utf8JsonReader(json);
            var index = 0;
            var depth = 0;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartArray:
                        depth++;
                        continue;
                    case JsonTokenType.EndArray:
                        depth--;
                        continue;
                    case JsonTokenType.StartObject:
                        throw MaasException.InvalidArgument($"Input '{name}': 'data' must hold {type.ToProtocolName()} values, not objects.");
                }

                if (index >= count)
                {
                    throw CountMismatch(name, shape, count, CountAll(json));
                }

                ReadElement(ref reader, tensor, strings, type, index, name);
                index++;
            }

            if (index != count)
            {
                throw CountMismatch(name, shape, count, index);
            }

            return tensor ?? strings!.Build(name, shape);
        }
        catch
        {
            tensor?.Dispose();
            throw;
        }
    }

    private static void ReadElement(ref Utf8JsonReader reader, Tensor? tensor, BytesTensorBuilder? strings, TensorDataType type, int index, string name)
    {
        if (type == TensorDataType.Bytes)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw WrongValue(name, type, ref reader);
            }

            // Unescaping only shortens a string: reserve the escaped length, then give back what was not used.
            var start = strings!.Position;
            var written = reader.CopyString(strings.Reserve((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length)));
            strings.ShrinkLast(start, written);
            return;
        }

        ArgumentNullException.ThrowIfNull(tensor);
        if (type == TensorDataType.Bool)
        {
            tensor.AsSpan<bool>()[index] = reader.TokenType switch
            {
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                _ => throw WrongValue(name, type, ref reader),
            };
            return;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            throw WrongValue(name, type, ref reader);
        }

        switch (type)
        {
            // A number beyond the type's range would otherwise become infinity without a word.
            case TensorDataType.Fp32:
                var single = (float)reader.GetDouble();
                tensor.AsSpan<float>()[index] = float.IsFinite(single) ? single : throw OutOfRange(name, type, ref reader);
                return;
            case TensorDataType.Fp64:
                var dbl = reader.GetDouble();
                tensor.AsSpan<double>()[index] = double.IsFinite(dbl) ? dbl : throw OutOfRange(name, type, ref reader);
                return;
            case TensorDataType.Fp16:
                var half = (Half)reader.GetDouble();
                tensor.AsSpan<Half>()[index] = Half.IsFinite(half) ? half : throw OutOfRange(name, type, ref reader);
                return;
            case TensorDataType.UInt64:
                tensor.AsSpan<ulong>()[index] = reader.TryGetUInt64(out var big) ? big : throw OutOfRange(name, type, ref reader);
                return;
        }

        if (!reader.TryGetInt64(out var value))
        {
            throw OutOfRange(name, type, ref reader);
        }

        switch (type)
        {
            case TensorDataType.Int64:
                tensor.AsSpan<long>()[index] = value;
                break;
            case TensorDataType.Int32 when value is >= int.MinValue and <= int.MaxValue:
                tensor.AsSpan<int>()[index] = (int)value;
                break;
            case TensorDataType.Int16 when value is >= short.MinValue and <= short.MaxValue:
                tensor.AsSpan<short>()[index] = (short)value;
                break;
            case TensorDataType.Int8 when value is >= sbyte.MinValue and <= sbyte.MaxValue:
                tensor.AsSpan<sbyte>()[index] = (sbyte)value;
                break;
            case TensorDataType.UInt32 when value is >= 0 and <= uint.MaxValue:
                tensor.AsSpan<uint>()[index] = (uint)value;
                break;
            case TensorDataType.UInt16 when value is >= 0 and <= ushort.MaxValue:
                tensor.AsSpan<ushort>()[index] = (ushort)value;
                break;
            case TensorDataType.UInt8 when value is >= 0 and <= byte.MaxValue:
                tensor.AsSpan<byte>()[index] = (byte)value;
                break;
            default:
                throw OutOfRange(name, type, ref reader);
        }
    }

    private static int CountAll(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var count = 0;
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
            {
                count++;
            }
        }

        return count;
    }

    private static MaasException CountMismatch(string name, long[] shape, int expected, int actual) =>
        MaasException.InvalidArgument($"Input '{name}' has shape [{string.Join(", ", shape)}], which needs {expected} elements, but 'data' holds {actual}.");

    private static MaasException WrongValue(string name, TensorDataType type, ref Utf8JsonReader reader)
    {
        var expected = type switch
        {
            TensorDataType.Bool => "true or false",
            TensorDataType.Bytes => "strings",
            _ => "numbers",
        };
        return MaasException.InvalidArgument($"Input '{name}' is {type.ToProtocolName()}, so 'data' must hold {expected}; found {Describe(ref reader)}.");
    }

    private static MaasException OutOfRange(string name, TensorDataType type, ref Utf8JsonReader reader) =>
        MaasException.InvalidArgument($"Input '{name}': {Describe(ref reader)} is not a valid {type.ToProtocolName()} value.");

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the string \"{Truncate(reader.GetString())}\"",
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static string? Truncate(string? text) => text is { Length: > 40 } ? text[..40] + "…" : text;
}
