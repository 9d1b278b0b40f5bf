using System.Net;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>A request body that trickles out in chunks with pauses, and says when a given number of bytes is on the wire.</summary>
internal sealed class SlowContent(byte[] data, int chunkSize, TimeSpan pause, long signalAfterBytes = long.MaxValue) : HttpContent
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once <c>signalAfterBytes</c> bytes were written.</summary>
    public Task ThresholdReached => _reached.Task;

    public long BytesSent { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var count = Math.Min(chunkSize, data.Length - offset);
            await stream.WriteAsync(data.AsMemory(offset, count));
            await stream.FlushAsync();
            BytesSent += count;
            if (BytesSent >= signalAfterBytes)
            {
                _reached.TrySetResult();
            }

            await Task.Delay(pause);
        }
    }

    // No length: the body goes out chunked, like a client streaming a file it does not size up front.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
