using System.Security.Cryptography;
using Maas.Registry.Artifacts.Encryption;

namespace Maas.UnitTests.Registry.Artifacts;

public sealed class AesGcmCodecTests
{
    private const int Chunk = 1024;

    internal static ArtifactKeyRing Ring(params (string Id, byte[] Key)[] keys) =>
        new(keys.ToDictionary(k => k.Id, k => k.Key), keys[^1].Id);

    internal static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    private static readonly byte[] KeyA = NewKey();

    private static AesGcmArtifactCodec Codec(ArtifactKeyRing? ring = null) => new(ring ?? Ring(("a", KeyA)), Chunk);

    private static byte[] Encrypt(byte[] plain, AesGcmArtifactCodec? codec = null)
    {
        var stored = new MemoryStream();
        using (var writer = (codec ?? Codec()).OpenWriter(stored))
        {
            // Uneven writes cross chunk boundaries in every way.
            for (var offset = 0; offset < plain.Length; offset += 700)
            {
                writer.Write(plain, offset, Math.Min(700, plain.Length - offset));
            }
        }

        return stored.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] stored, AesGcmArtifactCodec? codec = null)
    {
        await using var reader = (codec ?? Codec()).OpenReader(new MemoryStream(stored));
        var plain = new MemoryStream();
        await reader.CopyToAsync(plain);
        return plain.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(3 * Chunk)]
    [InlineData((7 * Chunk) / 2)]
    public async Task OpenWriterThenOpenReader_AnySize_GivesBackThePlainBytes(int size)
    {
        var plain = RandomNumberGenerator.GetBytes(size);

        var stored = Encrypt(plain);

        Assert.Equal(plain, await DecryptAsync(stored));
        Assert.True(stored.AsSpan().StartsWith(AesGcmFormat.Magic));
        var chunks = Math.Max(1, (size + Chunk - 1) / Chunk);
        Assert.Equal(AesGcmFormat.FixedHeaderSize + 1 + size + chunks * AesGcmFormat.TagSize, stored.Length);
    }

    [Fact]
    public async Task OpenWriterAsync_SameBytesTwice_DifferentCiphertextSamePlain()
    {
        var plain = RandomNumberGenerator.GetBytes(3000);
        var first = new MemoryStream();
        await using (var writer = Codec().OpenWriter(first))
        {
            await writer.WriteAsync(plain);
        }

        var second = Encrypt(plain);

        Assert.NotEqual(first.ToArray(), second);
        Assert.Equal(plain, await DecryptAsync(first.ToArray()));
        Assert.Equal(plain, await DecryptAsync(second));
        Assert.Equal(-1, first.ToArray().AsSpan().IndexOf(plain.AsSpan(0, 64)));
    }

    [Fact]
    public void Read_Synchronous_GivesBackThePlainBytes()
    {
        var plain = RandomNumberGenerator.GetBytes(2500);
        using var reader = Codec().OpenReader(new MemoryStream(Encrypt(plain)));
        var copy = new MemoryStream();

        reader.CopyTo(copy);

        Assert.Equal(plain, copy.ToArray());
    }

    [Fact]
    public async Task OpenReader_SameIdDifferentKey_RefusedAtFirstChunk()
    {
        var stored = Encrypt(RandomNumberGenerator.GetBytes(100));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(stored, Codec(Ring(("a", NewKey())))));

        Assert.Contains("chunk 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReader_KeyNotConfigured_RefusedNamingTheKeyId()
    {
        var stored = Encrypt(RandomNumberGenerator.GetBytes(100));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(stored, Codec(Ring(("b", NewKey())))));

        Assert.Contains("storage key 'a', which is not configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReader_OneBitFlippedInSecondChunk_RefusedAtThatChunk()
    {
        var stored = Encrypt(RandomNumberGenerator.GetBytes(3 * Chunk));
        var header = AesGcmFormat.FixedHeaderSize + 1;
        stored[header + Chunk + AesGcmFormat.TagSize + 10] ^= 0x01;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(stored));

        Assert.Contains("chunk 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReader_HeaderKeyIdOrChunkSizeAltered_Refused()
    {
        var plain = RandomNumberGenerator.GetBytes(2000);
        var renamed = Encrypt(plain);
        renamed[AesGcmFormat.FixedHeaderSize] = (byte)'b';
        var resized = Encrypt(plain);
        resized[9] = 0x00;
        resized[10] = 0x08; // 2048 instead of 1024

        var both = Ring(("a", KeyA), ("b", KeyA));
        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(renamed, Codec(both)));
        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(resized));
    }

    [Fact]
    public async Task OpenReader_ChunksSwapped_Refused()
    {
        var stored = Encrypt(RandomNumberGenerator.GetBytes(3 * Chunk));
        var header = AesGcmFormat.FixedHeaderSize + 1;
        var record = Chunk + AesGcmFormat.TagSize;
        var first = stored.AsSpan(header, record).ToArray();
        stored.AsSpan(header + record, record).CopyTo(stored.AsSpan(header));
        first.CopyTo(stored.AsSpan(header + record));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(stored));

        Assert.Contains("chunk 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100 + AesGcmFormat.TagSize)]
    [InlineData(100 + AesGcmFormat.TagSize + Chunk + AesGcmFormat.TagSize)]
    [InlineData(100 + AesGcmFormat.TagSize + 500)]
    public async Task OpenReader_CutShort_Refused(int removed)
    {
        // Three full chunks and a short last one: cutting whole records off leaves a last chunk not sealed as last.
        var stored = Encrypt(RandomNumberGenerator.GetBytes((3 * Chunk) + 100));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(stored[..^removed]));

        Assert.Contains("chunk", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReader_BytesAppended_Refused()
    {
        var stored = Encrypt(RandomNumberGenerator.GetBytes(2 * Chunk));

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync([.. stored, .. new byte[Chunk + AesGcmFormat.TagSize]]));
        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync([.. stored, 0x00]));
    }

    [Fact]
    public async Task OpenReader_HeaderOnly_Refused()
    {
        var stored = Encrypt([]);

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(stored[..(AesGcmFormat.FixedHeaderSize + 1)]));
        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(stored[..12]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(5000)]
    public async Task OpenReader_PlainBlobFromBeforeEncryption_PassedThrough(int size)
    {
        var plain = RandomNumberGenerator.GetBytes(size);

        Assert.Equal(plain, await DecryptAsync(plain));
        await using var reader = Codec().OpenReader(new MemoryStream(plain));
        Assert.Null(await ((IStoredKeyInfo)reader).ReadKeyIdAsync());
    }

    [Fact]
    public async Task ReadKeyIdAsync_EncryptedBlob_TheWritersKeyThenStillReadable()
    {
        var plain = RandomNumberGenerator.GetBytes(1500);
        var ring = Ring(("old", NewKey()), ("new", NewKey()));
        var stored = Encrypt(plain, Codec(ring));
        await using var reader = Codec(ring).OpenReader(new MemoryStream(stored));

        Assert.Equal("new", await ((IStoredKeyInfo)reader).ReadKeyIdAsync());
        var copy = new MemoryStream();
        await reader.CopyToAsync(copy);
        Assert.Equal(plain, copy.ToArray());
    }
}
