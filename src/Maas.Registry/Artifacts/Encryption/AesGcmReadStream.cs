using System.Security.Cryptography;
using System.Text;

namespace Maas.Registry.Artifacts.Encryption;

/// <summary>Reads a blob written by <see cref="AesGcmWriteStream"/> and gives back its plain bytes, authenticating each
/// chunk before handing any of it out; a blob without the header (stored plain before encryption was turned on) is
/// passed through unchanged.</summary>
/// <remarks>
/// Failures are <see cref="InvalidDataException"/>s saying what is wrong: an unknown key id, a chunk that fails
/// authentication (tampered, reordered, or a different key), or a blob cut short.
/// </remarks>
internal sealed class AesGcmReadStream : Stream, IStoredKeyInfo
{
    private readonly Stream _inner;
    private readonly ArtifactKeyRing _keys;
    private AesGcm? _aes;
    private byte[] _header = [];
    private byte[] _nonceBase = [];
    private byte[] _associated = [];
    private byte[] _plain = [];
    private byte[] _record = [];
    private int _recordLength;
    private int _plainPosition;
    private int _plainLength;
    private long _index;
    private bool _started;
    private bool _finished;
    private byte[]? _passthroughPrefix;
    private int _prefixPosition;
    private string? _keyId;

    public AesGcmReadStream(Stream inner, ArtifactKeyRing keys)
    {
        _inner = inner;
        _keys = keys;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public async ValueTask<string?> ReadKeyIdAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(sync: false, cancellationToken).ConfigureAwait(false);
        return _keyId;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var array = new byte[buffer.Length];
        var task = ReadCoreAsync(array, sync: true, CancellationToken.None);

        // With sync: true every inner read is synchronous, so the task has already completed.
        var read = task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("A synchronous read did not complete synchronously.");
        array.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadCoreAsync(buffer.AsMemory(offset, count), sync: false, cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(buffer, sync: false, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        _aes?.Dispose();
        await _inner.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes?.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, bool sync, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        await StartAsync(sync, cancellationToken).ConfigureAwait(false);
        if (_passthroughPrefix is { } prefix)
        {
            if (_prefixPosition < prefix.Length)
            {
                var take = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
                prefix.AsMemory(_prefixPosition, take).CopyTo(buffer);
                _prefixPosition += take;
                return take;
            }

            return sync ? _inner.Read(buffer.Span) : await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        while (_plainPosition == _plainLength)
        {
            if (_finished)
            {
                return 0;
            }

            await OpenNextChunkAsync(sync, cancellationToken).ConfigureAwait(false);
        }

        var count = Math.Min(buffer.Length, _plainLength - _plainPosition);
        _plain.AsMemory(_plainPosition, count).CopyTo(buffer);
        _plainPosition += count;
        return count;
    }

    private async ValueTask StartAsync(bool sync, CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }

        var fixedPart = new byte[AesGcmFormat.FixedHeaderSize];
        var magic = await FillAsync(fixedPart.AsMemory(0, AesGcmFormat.Magic.Length), sync, cancellationToken).ConfigureAwait(false);
        if (magic < AesGcmFormat.Magic.Length || !fixedPart.AsSpan(0, magic).SequenceEqual(AesGcmFormat.Magic))
        {
            // Stored before encryption was turned on: the digest check on load still guards these bytes.
            _passthroughPrefix = fixedPart[..magic];
            _started = true;
            return;
        }

        var rest = AesGcmFormat.FixedHeaderSize - magic;
        if (await FillAsync(fixedPart.AsMemory(magic, rest), sync, cancellationToken).ConfigureAwait(false) < rest)
        {
            throw new InvalidDataException("encrypted blob is cut short inside its header");
        }

        var idLength = AesGcmFormat.ParseFixed(fixedPart, out var chunkSize);
        _header = new byte[AesGcmFormat.FixedHeaderSize + idLength];
        fixedPart.CopyTo(_header, 0);
        if (await FillAsync(_header.AsMemory(AesGcmFormat.FixedHeaderSize), sync, cancellationToken).ConfigureAwait(false) < idLength)
        {
            throw new InvalidDataException("encrypted blob is cut short inside its header");
        }

        var keyId = Encoding.ASCII.GetString(_header, AesGcmFormat.FixedHeaderSize, idLength);
        if (!ArtifactKeyRing.IsValidKeyId(keyId))
        {
            throw new InvalidDataException("encrypted blob names a malformed key id");
        }

        if (!_keys.TryGetKey(keyId, out var key))
        {
            throw new InvalidDataException($"it is encrypted with storage key '{keyId}', which is not configured");
        }

        _keyId = keyId;
        _aes = new AesGcm(key, AesGcmFormat.TagSize);
        _nonceBase = _header.AsSpan(13, AesGcmFormat.NonceSize).ToArray();
        _associated = new byte[_header.Length + 9];
        _plain = new byte[chunkSize];

        // One record plus one byte of look-ahead: a full record is the last one only when nothing follows it.
        _record = new byte[chunkSize + AesGcmFormat.TagSize + 1];
        _started = true;
    }

    private async ValueTask OpenNextChunkAsync(bool sync, CancellationToken cancellationToken)
    {
        var recordSize = _record.Length - 1;
        _recordLength += await FillAsync(_record.AsMemory(_recordLength), sync, cancellationToken).ConfigureAwait(false);
        var final = _recordLength <= recordSize;
        var length = final ? _recordLength : recordSize;
        if (length < AesGcmFormat.TagSize)
        {
            throw new InvalidDataException($"encrypted blob is cut short at chunk {_index}");
        }

        Span<byte> nonce = stackalloc byte[AesGcmFormat.NonceSize];
        AesGcmFormat.ChunkNonce(_nonceBase, _index, nonce);
        AesGcmFormat.AssociatedData(_header, _index, final, _associated);
        var textLength = length - AesGcmFormat.TagSize;
        try
        {
            _aes!.Decrypt(nonce, _record.AsSpan(0, textLength), _record.AsSpan(textLength, AesGcmFormat.TagSize), _plain.AsSpan(0, textLength), _associated);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidDataException(
                $"chunk {_index} of the encrypted blob failed authentication (tampered with, reordered or cut short)");
        }

        _plainPosition = 0;
        _plainLength = textLength;
        _index++;
        if (final)
        {
            _finished = true;
            _recordLength = 0;
        }
        else
        {
            _record[0] = _record[recordSize];
            _recordLength = 1;
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns how many bytes came.</summary>
    private async ValueTask<int> FillAsync(Memory<byte> buffer, bool sync, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = sync
                ? _inner.Read(buffer.Span[total..])
                : await _inner.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
