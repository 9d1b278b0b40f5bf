namespace Maas.Core.Tensors;

/// <summary>Reference-counted ownership of a tensor's memory: the last tensor (or slice) disposed releases it.</summary>
internal sealed class TensorStorage(Action release)
{
    private int _references = 1;

    /// <summary>Takes one more reference; throws when the memory was already released (a use after dispose).</summary>
    public void AddReference()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current <= 0)
            {
                throw new ObjectDisposedException(nameof(Tensor), "The tensor's memory was already released.");
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            release();
        }
    }
}
