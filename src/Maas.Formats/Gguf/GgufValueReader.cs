using System.Buffers.Binary;

namespace Maas.Formats.Gguf;

/// <summary>Reads one metadata value of a given type tag, arrays included.</summary>
internal static class GgufValueReader
{
    /// <summary>Arrays of arrays are legal but never deep in practice; a limit keeps a crafted file off the call stack.</summary>
    private const int MaxNesting = 8;

    public static GgufValue Read(GgufStreamReader reader, GgufValueType type, string key, int depth = 0) => type switch
    {
        GgufValueType.UInt8 => GgufValue.UInt8(reader.ReadUInt8(key)),
        GgufValueType.Int8 => GgufValue.Int8(unchecked((sbyte)reader.ReadUInt8(key))),
        GgufValueType.UInt16 => GgufValue.UInt16(reader.ReadUInt16(key)),
        GgufValueType.Int16 => GgufValue.Int16(unchecked((short)reader.ReadUInt16(key))),
        GgufValueType.UInt32 => GgufValue.UInt32(reader.ReadUInt32(key)),
        GgufValueType.Int32 => GgufValue.Int32(unchecked((int)reader.ReadUInt32(key))),
        GgufValueType.Float32 => GgufValue.Float32(BitConverter.UInt32BitsToSingle(reader.ReadUInt32(key))),
        GgufValueType.Bool => GgufValue.Bool(ReadBool(reader, key)),
        GgufValueType.String => GgufValue.String(reader.ReadString($"the string value of '{key}'")),
        GgufValueType.UInt64 => GgufValue.UInt64(reader.ReadUInt64(key)),
        GgufValueType.Int64 => GgufValue.Int64(unchecked((long)reader.ReadUInt64(key))),
        GgufValueType.Float64 => GgufValue.Float64(BitConverter.UInt64BitsToDouble(reader.ReadUInt64(key))),
        GgufValueType.Array => ReadArray(reader, key, depth),
        _ => throw UnknownType(type, key),
    };

    public static InvalidDataException UnknownType(GgufValueType type, string key) =>
        new($"Not a valid GGUF file: metadata key '{key}' has unknown value type {(uint)type}.");

    private static GgufValue ReadArray(GgufStreamReader reader, string key, int depth)
    {
        if (depth >= MaxNesting)
        {
            throw new InvalidDataException($"Not a valid GGUF file: metadata key '{key}' nests arrays more than {MaxNesting} deep.");
        }

        var elementType = (GgufValueType)reader.ReadUInt32($"the array element type of '{key}'");
        var countOffset = reader.Position;
        var count = reader.ReadUInt64($"the array length of '{key}'");
        var minimumSize = MinimumSize(elementType, key);

        // Each element takes at least minimumSize bytes, so a count beyond what is left is corruption, caught before allocating.
        if (count > (ulong)(reader.Remaining / minimumSize) || count > int.MaxValue)
        {
            throw new InvalidDataException(
                $"Not a valid GGUF file: the array '{key}' at offset {countOffset} claims {count} elements of type {elementType}, more than the {reader.Remaining} bytes left can hold.");
        }

        var n = (int)count;
        return elementType switch
        {
            GgufValueType.UInt8 => GgufValue.ArrayOf(reader.ReadBytes(n, key)),
            GgufValueType.Int8 => GgufValue.ArrayOf(Numbers(reader, n, 1, key, b => unchecked((sbyte)b[0]))),
            GgufValueType.UInt16 => GgufValue.ArrayOf(Numbers(reader, n, 2, key, BinaryPrimitives.ReadUInt16LittleEndian)),
            GgufValueType.Int16 => GgufValue.ArrayOf(Numbers(reader, n, 2, key, BinaryPrimitives.ReadInt16LittleEndian)),
            GgufValueType.UInt32 => GgufValue.ArrayOf(Numbers(reader, n, 4, key, BinaryPrimitives.ReadUInt32LittleEndian)),
            GgufValueType.Int32 => GgufValue.ArrayOf(Numbers(reader, n, 4, key, BinaryPrimitives.ReadInt32LittleEndian)),
            GgufValueType.Float32 => GgufValue.ArrayOf(Numbers(reader, n, 4, key, BinaryPrimitives.ReadSingleLittleEndian)),
            GgufValueType.Bool => GgufValue.ArrayOf(Numbers(reader, n, 1, key, b => Bool(b[0], key))),
            GgufValueType.UInt64 => GgufValue.ArrayOf(Numbers(reader, n, 8, key, BinaryPrimitives.ReadUInt64LittleEndian)),
            GgufValueType.Int64 => GgufValue.ArrayOf(Numbers(reader, n, 8, key, BinaryPrimitives.ReadInt64LittleEndian)),
            GgufValueType.Float64 => GgufValue.ArrayOf(Numbers(reader, n, 8, key, BinaryPrimitives.ReadDoubleLittleEndian)),
            GgufValueType.String => GgufValue.ArrayOf(Strings(reader, n, key)),
            _ => GgufValue.ArrayOf(Arrays(reader, n, key, depth)),
        };
    }

    private static T[] Numbers<T>(GgufStreamReader reader, int count, int size, string key, Func<ReadOnlySpan<byte>, T> decode)
    {
        var bytes = reader.ReadBytes((long)count * size, $"the array '{key}'");
        var values = new T[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = decode(bytes.AsSpan(i * size, size));
        }

        return values;
    }

    private static string[] Strings(GgufStreamReader reader, int count, string key)
    {
        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = reader.ReadString($"element {i} of the array '{key}'");
        }

        return values;
    }

    private static GgufValue[] Arrays(GgufStreamReader reader, int count, string key, int depth)
    {
        var values = new GgufValue[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ReadArray(reader, $"{key}[{i}]", depth + 1);
        }

        return values;
    }

    /// <summary>The fewest bytes one element can take: its width, or a length/header for strings and nested arrays.</summary>
    private static long MinimumSize(GgufValueType type, string key) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => throw new InvalidDataException($"Not a valid GGUF file: the array '{key}' has unknown element type {(uint)type}."),
    };

    private static bool ReadBool(GgufStreamReader reader, string key) => Bool(reader.ReadUInt8(key), key);

    // Writers only ever store 0 or 1; anything else means the reader has lost its place in the file.
    private static bool Bool(byte value, string key) => value switch
    {
        0 => false,
        1 => true,
        _ => throw new InvalidDataException($"Not a valid GGUF file: the boolean '{key}' holds {value}, not 0 or 1."),
    };
}
