namespace Maas.Serving.Batching;

/// <summary>One engine call in progress: cancelled only when every request in it has gone.</summary>
internal sealed class RunningBatch(CancellationToken stopping) : IDisposable
{
    private readonly CancellationTokenSource _cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private int _live;

    public CancellationToken Token => _cancellation.Token;

    public void Joined() => Interlocked.Increment(ref _live);

    /// <summary>A caller left while its request was running; the last one to leave cancels the engine call.</summary>
    public void Left()
    {
        if (Interlocked.Decrement(ref _live) == 0)
        {
            try
            {
                _cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call already finished.
            }
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
