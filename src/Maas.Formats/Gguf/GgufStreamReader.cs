using System.Buffers.Binary;
using System.Text;

namespace Maas.Formats.Gguf;

/// <summary>Little-endian primitives over a stream that refuse to read past its end.</summary>
/// <remarks>
/// Every length is checked against the bytes left before anything is allocated, so a corrupt count can cost at most
/// as much memory as the file is long, and fails with <see cref="InvalidDataException"/> instead of an
/// <see cref="EndOfStreamException"/> or an <see cref="OutOfMemoryException"/>.
/// </remarks>
internal sealed class GgufStreamReader
{
    private readonly Stream _stream;
    private readonly byte[] _scratch = new byte[8];

    public GgufStreamReader(Stream stream)
    {
        _stream = stream;
        Length = stream.Length - stream.Position;
    }

    public long Length { get; }

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public byte ReadUInt8(string what) => Fill(1, what)[0];

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Fill(2, what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Fill(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Fill(8, what));

    /// <summary>Reads <paramref name="count"/> bytes into a new array, after checking they are there.</summary>
    public byte[] ReadBytes(long count, string what)
    {
        Require(count, what);
        var bytes = new byte[count];
        _stream.ReadExactly(bytes);
        Position += count;
        return bytes;
    }

    /// <summary>A GGUF string: u64 byte length, then UTF-8 without a terminator.</summary>
    /// <remarks>Invalid UTF-8 decodes with replacement characters rather than failing: llama.cpp does not validate it either.</remarks>
    public string ReadString(string what)
    {
        var start = Position;
        var length = ReadUInt64($"{what} length");
        if (length > (ulong)Remaining)
        {
            throw new InvalidDataException(
                $"Not a valid GGUF file: {what} at offset {start} claims {length} bytes but only {Remaining} remain in the file.");
        }

        return length == 0 ? string.Empty : Encoding.UTF8.GetString(ReadBytes((long)length, what));
    }

    /// <summary>Fails unless <paramref name="count"/> more bytes are in the file.</summary>
    public void Require(long count, string what)
    {
        if (count > Remaining)
        {
            throw new InvalidDataException(
                $"Not a valid GGUF file: the file ends at byte {Length} in the middle of {what} (offset {Position} needs {count} bytes).");
        }
    }

    private ReadOnlySpan<byte> Fill(int count, string what)
    {
        Require(count, what);
        var span = _scratch.AsSpan(0, count);
        _stream.ReadExactly(span);
        Position += count;
        return span;
    }
}
