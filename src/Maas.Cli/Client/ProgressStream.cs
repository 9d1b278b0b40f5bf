namespace Maas.Cli.Client;

/// <summary>A read-only pass-through stream that reports how many bytes have been read through it.</summary>
/// <remarks>
/// Seeking and <see cref="Length"/> pass through so that <see cref="StreamContent"/> can still send a
/// Content-Length instead of falling back to chunked transfer.
/// </remarks>
internal sealed class ProgressStream : Stream
{
    private readonly Stream _inner;
    private readonly IProgress<long> _progress;

    public ProgressStream(Stream inner, IProgress<long> progress)
    {
        _inner = inner;
        _progress = progress;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => _inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Report(_inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Report(_inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Report(await _inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Report(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void Flush()
    {
        // Read-only: nothing to flush.
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Report(int read)
    {
        if (read > 0)
        {
            _progress.Report(read);
        }

        return read;
    }
}
