using System.Buffers.Binary;
using System.Text;

namespace Maas.Formats.Gguf;

/// <summary>Builds a GGUF v3 file: metadata, tensor table, then aligned tensor data.</summary>
/// <remarks>
/// Tensors added as bytes are held in memory until <see cref="Write(Stream)"/>, which suits test models and tools that
/// produce small files; for multi-gigabyte models add tensors with a producer (<see cref="AddTensor(string, IReadOnlyList{long}, GgmlType, Action{Stream})"/>)
/// that writes each tensor's bytes straight into the file when its turn comes. Metadata is written in the order it was first set (setting
/// a key again replaces its value in place). The alignment is <c>general.alignment</c> when set, 32 otherwise.
/// </remarks>
public sealed class GgufWriter
{
    private readonly OrderedDictionary<string, GgufValue> _metadata = new(StringComparer.Ordinal);
    private readonly List<(string Name, long[] Dimensions, GgmlType Type, long Length, ReadOnlyMemory<byte> Data, Action<Stream>? Producer)> _tensors = [];

    public IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;

    public GgufWriter Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
        return this;
    }

    public GgufWriter SetUInt8(string key, byte value) => Set(key, GgufValue.UInt8(value));

    public GgufWriter SetInt8(string key, sbyte value) => Set(key, GgufValue.Int8(value));

    public GgufWriter SetUInt16(string key, ushort value) => Set(key, GgufValue.UInt16(value));

    public GgufWriter SetInt16(string key, short value) => Set(key, GgufValue.Int16(value));

    public GgufWriter SetUInt32(string key, uint value) => Set(key, GgufValue.UInt32(value));

    public GgufWriter SetInt32(string key, int value) => Set(key, GgufValue.Int32(value));

    public GgufWriter SetFloat32(string key, float value) => Set(key, GgufValue.Float32(value));

    public GgufWriter SetBool(string key, bool value) => Set(key, GgufValue.Bool(value));

    public GgufWriter SetString(string key, string value) => Set(key, GgufValue.String(value));

    public GgufWriter SetUInt64(string key, ulong value) => Set(key, GgufValue.UInt64(value));

    public GgufWriter SetInt64(string key, long value) => Set(key, GgufValue.Int64(value));

    public GgufWriter SetFloat64(string key, double value) => Set(key, GgufValue.Float64(value));

    public GgufWriter SetStringArray(string key, IEnumerable<string> values) => Set(key, GgufValue.ArrayOf(values.ToArray()));

    public GgufWriter SetInt32Array(string key, IEnumerable<int> values) => Set(key, GgufValue.ArrayOf(values.ToArray()));

    public GgufWriter SetFloat32Array(string key, IEnumerable<float> values) => Set(key, GgufValue.ArrayOf(values.ToArray()));

    /// <summary>Adds a tensor whose bytes are already in the storage layout of <paramref name="type"/>.</summary>
    /// <remarks>Dimensions are in ggml order: the first varies fastest.</remarks>
    /// <exception cref="ArgumentException">The byte count does not match the type and shape, or the name is taken.</exception>
    public GgufWriter AddTensor(string name, IReadOnlyList<long> dimensions, GgmlType type, ReadOnlyMemory<byte> data)
    {
        var expected = CheckTensor(name, dimensions, type);
        if (data.Length != expected)
        {
            throw new ArgumentException($"Tensor '{name}' needs {expected} bytes as {type}; {data.Length} were given.", nameof(data));
        }

        _tensors.Add((name, dimensions.ToArray(), type, expected, data, null));
        return this;
    }

    /// <summary>Adds a tensor whose bytes <paramref name="producer"/> writes into the output during <see cref="Write(Stream)"/>,
    /// in the storage layout of <paramref name="type"/>, so that they are never held in memory.</summary>
    /// <remarks>The producer runs once per write, in tensor order, and must write exactly the tensor's byte size
    /// (checked when the output stream can tell its position).</remarks>
    /// <exception cref="ArgumentException">The shape does not suit the type, or the name is taken.</exception>
    public GgufWriter AddTensor(string name, IReadOnlyList<long> dimensions, GgmlType type, Action<Stream> producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        var expected = CheckTensor(name, dimensions, type);
        _tensors.Add((name, dimensions.ToArray(), type, expected, default, producer));
        return this;
    }

    private long CheckTensor(string name, IReadOnlyList<long> dimensions, GgmlType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count > GgufReader.MaxDimensions)
        {
            throw new ArgumentException($"A ggml tensor has at most {GgufReader.MaxDimensions} dimensions.", nameof(dimensions));
        }

        var expected = GgmlTypes.ByteSize(type, dimensions);
        if (_tensors.Any(t => t.Name == name))
        {
            throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        }

        return expected;
    }

    /// <summary>Adds an F32 tensor from floats.</summary>
    public GgufWriter AddF32Tensor(string name, IReadOnlyList<long> dimensions, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return AddTensor(name, dimensions, GgmlType.F32, bytes);
    }

    /// <summary>Adds an F16 tensor from floats, rounding each to the nearest half.</summary>
    public GgufWriter AddF16Tensor(string name, IReadOnlyList<long> dimensions, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return AddTensor(name, dimensions, GgmlType.F16, bytes);
    }

    /// <summary>Writes the file to <paramref name="path"/>, replacing any file there.</summary>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(stream);
    }

    /// <summary>Writes the file to <paramref name="stream"/> from its current position.</summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var alignment = Alignment();
        using var header = new MemoryStream();
        using (var writer = new BinaryWriter(header, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("GGUF"u8);
            writer.Write(3u);
            writer.Write((ulong)_tensors.Count);
            writer.Write((ulong)_metadata.Count);
            foreach (var (key, value) in _metadata)
            {
                WriteString(writer, key);
                writer.Write((uint)value.Type);
                WriteValue(writer, value);
            }

            long offset = 0;
            foreach (var (name, dimensions, type, length, _, _) in _tensors)
            {
                WriteString(writer, name);
                writer.Write((uint)dimensions.Length);
                foreach (var d in dimensions)
                {
                    writer.Write((ulong)d);
                }

                writer.Write((uint)type);
                writer.Write((ulong)offset);
                offset = GgufReader.AlignUp(offset + length, alignment);
            }
        }

        header.WriteTo(stream);
        WritePadding(stream, header.Length, alignment);
        foreach (var (name, _, _, length, data, producer) in _tensors)
        {
            if (producer is null)
            {
                stream.Write(data.Span);
            }
            else
            {
                var start = stream.CanSeek ? stream.Position : -1;
                producer(stream);
                if (start >= 0 && stream.Position - start != length)
                {
                    throw new InvalidOperationException($"The producer of tensor '{name}' wrote {stream.Position - start} bytes; it needs {length}.");
                }
            }

            WritePadding(stream, length, alignment);
        }
    }

    private int Alignment()
    {
        if (!_metadata.TryGetValue(GgufKeys.Alignment, out var value))
        {
            return GgufReader.DefaultAlignment;
        }

        return value.Value is uint alignment && alignment != 0 && (alignment & (alignment - 1)) == 0 && alignment <= int.MaxValue
            ? (int)alignment
            : throw new InvalidOperationException($"'{GgufKeys.Alignment}' must be a u32 power of two; it is {value.Type} {value}.");
    }

    private static void WritePadding(Stream stream, long written, int alignment)
    {
        var padding = GgufReader.AlignUp(written, alignment) - written;
        for (var i = 0; i < padding; i++)
        {
            stream.WriteByte(0);
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteValue(BinaryWriter writer, GgufValue value)
    {
        switch (value.Value)
        {
            case string s: WriteString(writer, s); break;
            case bool b: writer.Write(b ? (byte)1 : (byte)0); break;
            case byte v: writer.Write(v); break;
            case sbyte v: writer.Write(v); break;
            case ushort v: writer.Write(v); break;
            case short v: writer.Write(v); break;
            case uint v: writer.Write(v); break;
            case int v: writer.Write(v); break;
            case float v: writer.Write(v); break;
            case ulong v: writer.Write(v); break;
            case long v: writer.Write(v); break;
            case double v: writer.Write(v); break;
            case Array array: WriteArray(writer, value.ElementType!.Value, array); break;
            default: throw new InvalidOperationException($"Cannot write a value of CLR type {value.Value.GetType()}.");
        }
    }

    private static void WriteArray(BinaryWriter writer, GgufValueType elementType, Array array)
    {
        writer.Write((uint)elementType);
        writer.Write((ulong)array.Length);
        foreach (var element in array)
        {
            // Elements go through the scalar path; an array of arrays holds GgufValue elements that carry their own types.
            WriteValue(writer, element as GgufValue ?? ScalarOf(element));
        }
    }

    private static GgufValue ScalarOf(object element) => element switch
    {
        string s => GgufValue.String(s),
        bool b => GgufValue.Bool(b),
        byte v => GgufValue.UInt8(v),
        sbyte v => GgufValue.Int8(v),
        ushort v => GgufValue.UInt16(v),
        short v => GgufValue.Int16(v),
        uint v => GgufValue.UInt32(v),
        int v => GgufValue.Int32(v),
        float v => GgufValue.Float32(v),
        ulong v => GgufValue.UInt64(v),
        long v => GgufValue.Int64(v),
        double v => GgufValue.Float64(v),
        _ => throw new InvalidOperationException($"Cannot write an array element of CLR type {element.GetType()}."),
    };
}
