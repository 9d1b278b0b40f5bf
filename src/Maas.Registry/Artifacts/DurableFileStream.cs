namespace Maas.Registry.Artifacts;

/// <summary>A new file that is flushed to disk (fsync) when closed, so a codec that writes its last bytes on disposal
/// still leaves nothing a power cut could lose before the publishing rename.</summary>
internal sealed class DurableFileStream : FileStream
{
    private bool _synced;

    public DurableFileStream(string path, int bufferSize)
        : base(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize, FileOptions.Asynchronous)
    {
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_synced)
        {
            _synced = true;
            await FlushAsync().ConfigureAwait(false);
            Flush(flushToDisk: true);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_synced)
        {
            _synced = true;
            Flush(flushToDisk: true);
        }

        base.Dispose(disposing);
    }
}
