namespace Maas.Formats.Gguf;

/// <summary>Reads a GGUF file's header (metadata and tensor table) without touching the tensor data.</summary>
/// <remarks>
/// The reader streams the header and stops where the data section begins, so a 40 GB model costs the same few
/// hundred kilobytes as a tiny one. Everything is checked against the file's length before it is allocated:
/// any corruption (bad magic, an unsupported version, a length or count past the end, an unknown type, tensor data
/// outside the file) surfaces as <see cref="InvalidDataException"/> with a message that says where and why.
/// Versions 2 and 3 share one little-endian layout and are both read; big-endian files are refused.
/// </remarks>
public static class GgufReader
{
    /// <summary>Alignment of the data section when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    /// <summary>ggml tensors have at most four dimensions.</summary>
    public const int MaxDimensions = 4;

    private const uint Magic = 0x46554747; // "GGUF" read as a little-endian u32

    // The smallest possible tensor entry (empty name, no dimensions) and metadata entry (empty key, one-byte value):
    // counts are bounded by them before any list is sized.
    private const long MinTensorInfoBytes = 8 + 4 + 4 + 8;
    private const long MinMetadataBytes = 8 + 4 + 1;

    private const int FileBufferSize = 64 * 1024;

    /// <summary>Reads the header of the GGUF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid GGUF file (message says why).</exception>
    public static GgufFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize);
        return Read(stream);
    }

    /// <summary>Reads a GGUF header from a seekable stream, starting at its current position.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid GGUF file (message says why).</exception>
    /// <exception cref="ArgumentException">The stream cannot seek; its length is needed to validate the header.</exception>
    public static GgufFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable.", nameof(stream));
        }

        var reader = new GgufStreamReader(stream);
        if (reader.Length == 0)
        {
            throw new InvalidDataException("Not a valid GGUF file: the file is empty.");
        }

        var version = ReadPreamble(reader);
        var tensorCount = ReadCount(reader, "tensor count", MinTensorInfoBytes);
        var metadataCount = ReadCount(reader, "metadata entry count", MinMetadataBytes);
        var metadata = ReadMetadata(reader, metadataCount);
        var alignment = ReadAlignment(metadata);
        var infos = new List<(string Name, long[] Dimensions, GgmlType Type, ulong Offset)>(tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensorCount; i++)
        {
            var info = ReadTensorInfo(reader, i);
            if (!names.Add(info.Name))
            {
                throw new InvalidDataException($"Not a valid GGUF file: the tensor name '{info.Name}' appears twice.");
            }

            infos.Add(info);
        }

        var dataOffset = AlignUp(reader.Position, alignment);
        var tensors = infos.Select(t => CheckTensor(t.Name, t.Dimensions, t.Type, t.Offset, alignment, dataOffset, reader.Length)).ToList();
        return new GgufFile(version, metadata, tensors, alignment, dataOffset, reader.Length);
    }

    private static uint ReadPreamble(GgufStreamReader reader)
    {
        if (reader.Length < 4 || reader.ReadUInt32("the magic number") != Magic)
        {
            throw new InvalidDataException("Not a valid GGUF file: it does not start with the magic bytes 'GGUF'.");
        }

        var version = reader.ReadUInt32("the version");
        if (version is 2 or 3)
        {
            return version;
        }

        // A big-endian file's version reads, little-endian, as a huge number with its low bytes zero.
        var hint = version != 0 && (version & 0xFFFF) == 0 ? " (the file looks big-endian, which is not supported)" : string.Empty;
        throw new InvalidDataException($"Not a valid GGUF file: version {version} is not supported; expected 2 or 3{hint}.");
    }

    private static int ReadCount(GgufStreamReader reader, string what, long minimumEntryBytes)
    {
        var count = reader.ReadUInt64($"the {what}");
        if (count > (ulong)(reader.Remaining / minimumEntryBytes) || count > int.MaxValue)
        {
            throw new InvalidDataException(
                $"Not a valid GGUF file: the {what} {count} is more than the {reader.Remaining} bytes left in the file can hold.");
        }

        return (int)count;
    }

    private static OrderedDictionary<string, GgufValue> ReadMetadata(GgufStreamReader reader, int count)
    {
        var metadata = new OrderedDictionary<string, GgufValue>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString($"the key of metadata entry {i}");
            var type = (GgufValueType)reader.ReadUInt32($"the value type of '{key}'");
            if (!Enum.IsDefined(type))
            {
                throw GgufValueReader.UnknownType(type, key);
            }

            if (!metadata.TryAdd(key, GgufValueReader.Read(reader, type, key)))
            {
                throw new InvalidDataException($"Not a valid GGUF file: the metadata key '{key}' appears twice.");
            }
        }

        return metadata;
    }

    private static int ReadAlignment(OrderedDictionary<string, GgufValue> metadata)
    {
        if (!metadata.TryGetValue(GgufKeys.Alignment, out var value))
        {
            return DefaultAlignment;
        }

        // llama.cpp insists on a u32 power of two; a file it would refuse is not valid here either.
        if (value.Value is not uint alignment || alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > int.MaxValue)
        {
            throw new InvalidDataException(
                $"Not a valid GGUF file: '{GgufKeys.Alignment}' must be a u32 power of two; it is {value.Type} {value}.");
        }

        return (int)alignment;
    }

    private static (string Name, long[] Dimensions, GgmlType Type, ulong Offset) ReadTensorInfo(GgufStreamReader reader, int index)
    {
        var name = reader.ReadString($"the name of tensor {index}");
        var rank = reader.ReadUInt32($"the dimension count of tensor '{name}'");
        if (rank > MaxDimensions)
        {
            throw new InvalidDataException($"Not a valid GGUF file: tensor '{name}' has {rank} dimensions; at most {MaxDimensions} are allowed.");
        }

        var dimensions = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            var size = reader.ReadUInt64($"dimension {d} of tensor '{name}'");
            if (size > long.MaxValue)
            {
                throw new InvalidDataException($"Not a valid GGUF file: dimension {d} of tensor '{name}' is {size}, too large.");
            }

            dimensions[d] = (long)size;
        }

        var type = (GgmlType)reader.ReadUInt32($"the type of tensor '{name}'");
        var offset = reader.ReadUInt64($"the data offset of tensor '{name}'");
        return (name, dimensions, type, offset);
    }

    private static GgufTensorInfo CheckTensor(string name, long[] dimensions, GgmlType type, ulong offset, int alignment, long dataOffset, long fileLength)
    {
        if (!GgmlTypes.IsKnown(type))
        {
            throw new InvalidDataException($"Not a valid GGUF file: tensor '{name}' has unknown ggml type {(uint)type}.");
        }

        long elements;
        long bytes;
        try
        {
            elements = GgmlTypes.ElementCount(dimensions);
            bytes = GgmlTypes.ByteSize(type, dimensions);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"Not a valid GGUF file: tensor '{name}' with shape [{string.Join(", ", dimensions)}] is too large.");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Not a valid GGUF file: tensor '{name}': {e.Message}");
        }

        if (offset % (ulong)alignment != 0)
        {
            throw new InvalidDataException($"Not a valid GGUF file: tensor '{name}' has data offset {offset}, not a multiple of the alignment {alignment}.");
        }

        var dataLength = fileLength - dataOffset;
        if (offset > (ulong)Math.Max(dataLength, 0) || bytes > dataLength - (long)offset)
        {
            throw new InvalidDataException(
                $"Not a valid GGUF file: tensor '{name}' ({bytes} bytes at data offset {offset}) lies past the end of the file ({Math.Max(dataLength, 0)} data bytes).");
        }

        return new GgufTensorInfo(name, dimensions, type, (long)offset, elements, bytes);
    }

    internal static long AlignUp(long position, int alignment) => (position + alignment - 1) / alignment * alignment;
}
