using System.Text;

namespace Maas.Formats.Onnx;

/// <summary>A forward-only protobuf wire reader over a seekable stream that never reads more than it needs.</summary>
/// <remarks>
/// Every message is read against an explicit end offset: a length that points past its enclosing message (or
/// past the end of the file) is rejected before anything is allocated or skipped, so a corrupt or hostile file
/// fails with <see cref="InvalidDataException"/> instead of a huge allocation or a read past the end. Fields the
/// caller does not want are skipped with <see cref="Stream.Seek"/>, which is what lets a 90 MB model be read
/// in milliseconds.
/// </remarks>
internal sealed class ProtoReader
{
    /// <summary>Names and dim_params are short; anything larger is a corrupt length, not a real name.</summary>
    internal const int MaxStringBytes = 1 << 20;

    private const int MaxVarintBytes = 10;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly Stream _stream;
    private long _position;

    public ProtoReader(Stream stream)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The ONNX reader needs a seekable stream.", nameof(stream));
        }

        _stream = stream;
        _position = stream.Position;
        Length = stream.Length;
    }

    /// <summary>End offset of the whole input: the end of the outermost message.</summary>
    public long Length { get; }

    public long Position => _position;

    /// <summary>Reads the next field tag, or returns false at <paramref name="end"/>.</summary>
    public bool TryReadTag(long end, out int fieldNumber, out ProtoWireType wireType)
    {
        if (_position == end)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }

        if (_position > end)
        {
            throw Corrupt($"a field runs past the end of its message (offset {_position}, message ends at {end})");
        }

        var tag = ReadVarint();
        var number = tag >> 3;
        var type = (int)(tag & 7);
        if (number == 0 || number > int.MaxValue >> 2)
        {
            throw Corrupt($"invalid field number {number} at offset {_position}");
        }

        if (type > (int)ProtoWireType.Fixed32)
        {
            throw Corrupt($"invalid wire type {type} at offset {_position}");
        }

        fieldNumber = (int)number;
        wireType = (ProtoWireType)type;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var i = 0; i < MaxVarintBytes; i++)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // The tenth byte may only carry the top bit of a 64-bit value.
                if (i == MaxVarintBytes - 1 && b > 1)
                {
                    throw Corrupt($"varint overflows 64 bits at offset {_position}");
                }

                return value;
            }
        }

        throw Corrupt($"varint longer than {MaxVarintBytes} bytes at offset {_position}");
    }

    /// <summary>Reads a varint field and checks that it was encoded as one.</summary>
    public long ReadInt64(ProtoWireType wireType, string what)
    {
        Expect(wireType, ProtoWireType.Varint, what);
        return (long)ReadVarint();
    }

    /// <summary>Reads the length prefix of a nested message or string and returns where it ends.</summary>
    public long ReadLengthDelimited(ProtoWireType wireType, long end, string what)
    {
        Expect(wireType, ProtoWireType.LengthDelimited, what);
        var length = ReadVarint();
        var available = end - _position;
        if (available < 0 || length > (ulong)available)
        {
            throw Corrupt($"{what} claims {length} bytes at offset {_position} but only {Math.Max(available, 0)} remain");
        }

        return _position + (long)length;
    }

    public string ReadString(ProtoWireType wireType, long end, string what)
    {
        var stringEnd = ReadLengthDelimited(wireType, end, what);
        var length = (int)Math.Min(stringEnd - _position, int.MaxValue);
        if (length > MaxStringBytes)
        {
            throw Corrupt($"{what} is {length} bytes long, more than the {MaxStringBytes} allowed");
        }

        var buffer = new byte[length];
        _stream.ReadExactly(buffer);
        _position += length;
        try
        {
            return StrictUtf8.GetString(buffer);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException($"Not a valid ONNX model: {what} is not valid UTF-8.", ex);
        }
    }

    /// <summary>Skips the value of a field the caller does not need, without reading a length-delimited body.</summary>
    public void Skip(ProtoWireType wireType, long end)
    {
        switch (wireType)
        {
            case ProtoWireType.Varint:
                ReadVarint();
                break;
            case ProtoWireType.Fixed64:
                SkipTo(_position + 8, end);
                break;
            case ProtoWireType.Fixed32:
                SkipTo(_position + 4, end);
                break;
            case ProtoWireType.LengthDelimited:
                SkipTo(ReadLengthDelimited(wireType, end, "a field"), end);
                break;
            default:
                // ONNX never uses groups; meeting one means the bytes are not an ONNX model.
                throw Corrupt($"unsupported wire type {wireType} at offset {_position}");
        }
    }

    /// <summary>Moves to <paramref name="target"/>, which must lie inside the current message.</summary>
    public void SkipTo(long target, long end)
    {
        if (target > end || target < _position)
        {
            throw Corrupt($"a field at offset {_position} runs past the end of its message");
        }

        _stream.Seek(target - _position, SeekOrigin.Current);
        _position = target;
    }

    private int ReadByte()
    {
        if (_position >= Length)
        {
            throw Corrupt($"unexpected end of file at offset {_position}");
        }

        var b = _stream.ReadByte();
        if (b < 0)
        {
            throw Corrupt($"unexpected end of file at offset {_position}");
        }

        _position++;
        return b;
    }

    private void Expect(ProtoWireType actual, ProtoWireType expected, string what)
    {
        if (actual != expected)
        {
            throw Corrupt($"{what} has wire type {actual}, expected {expected} (offset {_position})");
        }
    }

    private static InvalidDataException Corrupt(string reason) => new($"Not a valid ONNX model: {reason}.");
}
