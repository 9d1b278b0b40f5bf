using System.Buffers.Binary;
using System.Text;

namespace Maas.Registry.Artifacts.Encryption;

/// <summary>The at-rest layout of an encrypted blob (format version 1).</summary>
/// <remarks>
/// <code>
/// header: "MAASENC\0" (8) | version = 1 (1) | chunk size, uint32 LE (4) | nonce base (12, random per blob)
///         | key id length n (1) | key id, ASCII (n)
/// then chunks: ciphertext (chunk size bytes; the last one 0..chunk size) | GCM tag (16)
/// </code>
/// Chunk i is sealed with nonce = nonce base XOR i (big-endian, in the last 8 bytes) and associated data
/// = the whole header | i (uint64 BE) | final flag (1 byte). Binding the header authenticates the key id and chunk size;
/// the index refuses reordered or duplicated chunks; the final flag refuses truncation at a chunk boundary and anything
/// appended after the last chunk. Every blob has its own random nonce base, so (key, nonce) never repeats in practice
/// (96 random bits per blob). Chunks keep memory bounded and let a reader stream, verifying as it goes.
/// </remarks>
internal static class AesGcmFormat
{
    public const byte Version = 1;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int DefaultChunkSize = 64 * 1024;
    public const int MinChunkSize = 1024;
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>Bytes before the key id: magic, version, chunk size, nonce base, key id length.</summary>
    public const int FixedHeaderSize = 8 + 1 + 4 + NonceSize + 1;

    public static ReadOnlySpan<byte> Magic => "MAASENC\0"u8;

    public static byte[] BuildHeader(string keyId, int chunkSize, ReadOnlySpan<byte> nonceBase)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        var header = new byte[FixedHeaderSize + id.Length];
        Magic.CopyTo(header);
        header[8] = Version;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(9), (uint)chunkSize);
        nonceBase.CopyTo(header.AsSpan(13));
        header[FixedHeaderSize - 1] = (byte)id.Length;
        id.CopyTo(header.AsSpan(FixedHeaderSize));
        return header;
    }

    /// <summary>Parses the fixed part; returns the key id length that follows.</summary>
    /// <exception cref="InvalidDataException">Not a header this build can read.</exception>
    public static int ParseFixed(ReadOnlySpan<byte> fixedPart, out int chunkSize)
    {
        if (fixedPart[8] != Version)
        {
            throw new InvalidDataException($"encrypted blob has format version {fixedPart[8]}; this build reads version {Version}");
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[9..]);
        if (size is < MinChunkSize or > MaxChunkSize)
        {
            throw new InvalidDataException($"encrypted blob declares chunk size {size}, outside {MinChunkSize}..{MaxChunkSize}");
        }

        chunkSize = (int)size;
        var idLength = fixedPart[FixedHeaderSize - 1];
        return idLength is >= 1 and <= ArtifactKeyRing.MaxKeyIdLength
            ? idLength
            : throw new InvalidDataException($"encrypted blob declares a key id of {idLength} bytes");
    }

    public static void ChunkNonce(ReadOnlySpan<byte> nonceBase, long index, Span<byte> nonce)
    {
        nonceBase.CopyTo(nonce);
        var counter = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ (ulong)index;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
    }

    /// <summary>Writes header | index | final into <paramref name="associated"/> (header length + 9 bytes).</summary>
    public static void AssociatedData(ReadOnlySpan<byte> header, long index, bool final, Span<byte> associated)
    {
        header.CopyTo(associated);
        BinaryPrimitives.WriteUInt64BigEndian(associated[header.Length..], (ulong)index);
        associated[header.Length + 8] = final ? (byte)1 : (byte)0;
    }
}
