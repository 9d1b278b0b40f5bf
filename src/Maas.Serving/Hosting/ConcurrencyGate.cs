using Maas.Core.Errors;

namespace Maas.Serving.Hosting;

/// <summary>Bounds the inferences running on one deployment and the requests waiting for a slot.</summary>
/// <remarks>A request that finds the queue full is rejected at once (429) instead of waiting without bound.</remarks>
internal sealed class ConcurrencyGate(int maxConcurrency, int maxQueue) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
    private int _waiting;

    public int Running => maxConcurrency - _slots.CurrentCount;

    public int Waiting => Volatile.Read(ref _waiting);

    public async ValueTask<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return new Releaser(_slots);
        }

        if (Interlocked.Increment(ref _waiting) > maxQueue)
        {
            Interlocked.Decrement(ref _waiting);
            throw new MaasException(MaasErrorKind.TooManyRequests, $"The model's queue is full ({maxQueue} waiting); retry later.");
        }

        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Releaser(_slots);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>Gives the slot back when disposed; a second dispose does nothing (a double release would
    /// let one more request in than the limit).</summary>
    internal sealed class Releaser(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
