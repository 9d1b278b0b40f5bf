using System.Security.Cryptography;

namespace Maas.Registry.Artifacts.Encryption;

/// <summary>Takes plain bytes and writes them encrypted in <see cref="AesGcmFormat"/> chunks; the last chunk (marked
/// final) is sealed when the stream is disposed.</summary>
/// <remarks>A full chunk is held back until more bytes arrive, because only then is it known not to be the last.</remarks>
internal sealed class AesGcmWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly byte[] _nonceBase;
    private readonly byte[] _plain;
    private readonly byte[] _sealed;
    private readonly byte[] _associated;
    private int _filled;
    private long _index;
    private bool _headerWritten;
    private bool _disposed;

    public AesGcmWriteStream(Stream inner, string keyId, byte[] key, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, AesGcmFormat.MinChunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, AesGcmFormat.MaxChunkSize);
        _inner = inner;
        _aes = new AesGcm(key, AesGcmFormat.TagSize);
        _nonceBase = RandomNumberGenerator.GetBytes(AesGcmFormat.NonceSize);
        _header = AesGcmFormat.BuildHeader(keyId, chunkSize, _nonceBase);
        _plain = new byte[chunkSize];
        _sealed = new byte[chunkSize + AesGcmFormat.TagSize];
        _associated = new byte[_header.Length + 9];
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _plain.Length)
            {
                _inner.Write(SealChunk(final: false).Span);
            }

            var take = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer[..take].CopyTo(_plain.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _plain.Length)
            {
                await _inner.WriteAsync(SealChunk(final: false), cancellationToken).ConfigureAwait(false);
            }

            var take = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer.Span[..take].CopyTo(_plain.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
        }
    }

    /// <summary>Flushes what is sealed so far; the held-back chunk stays until more bytes or disposal.</summary>
    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            try
            {
                await _inner.WriteAsync(SealChunk(final: true)).ConfigureAwait(false);
            }
            finally
            {
                _aes.Dispose();
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try
            {
                _inner.Write(SealChunk(final: true).Span);
            }
            finally
            {
                _aes.Dispose();
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Seals the buffered plain bytes as the next chunk; the header goes in front of the first one.</summary>
    private ReadOnlyMemory<byte> SealChunk(bool final)
    {
        Span<byte> nonce = stackalloc byte[AesGcmFormat.NonceSize];
        AesGcmFormat.ChunkNonce(_nonceBase, _index, nonce);
        AesGcmFormat.AssociatedData(_header, _index, final, _associated);
        var ciphertext = _sealed.AsSpan(0, _filled);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), ciphertext, _sealed.AsSpan(_filled, AesGcmFormat.TagSize), _associated);
        var length = _filled + AesGcmFormat.TagSize;
        _filled = 0;
        _index++;
        if (_headerWritten)
        {
            return _sealed.AsMemory(0, length);
        }

        // The header goes out with the first chunk: one write, and no header without a chunk.
        _headerWritten = true;
        var first = new byte[_header.Length + length];
        _header.CopyTo(first, 0);
        _sealed.AsSpan(0, length).CopyTo(first.AsSpan(_header.Length));
        return first;
    }
}
