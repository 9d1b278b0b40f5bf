using LLama;
using LLama.Native;

namespace Maas.Engines.Llama;

/// <summary>One holder's share of weights loaded through <see cref="LlamaWeightsCache"/>, plus the LoRA adapter the
/// holder applied to its own context, if any.</summary>
/// <remarks>The weights are counted against the memory budget once: by the oldest lease still held (see
/// <see cref="CountsWeights"/>); when it is returned, the next oldest takes the count over. Disposing unloads the
/// adapter (after the holder has disposed its context) and returns the share; the last share frees the weights.</remarks>
internal sealed class LlamaWeightsLease : IDisposable
{
    private readonly LlamaWeightsCache.Entry _entry;
    private readonly LlamaWeightsCache _cache;
    private int _disposed;

    internal LlamaWeightsLease(LlamaWeightsCache cache, LlamaWeightsCache.Entry entry)
    {
        _cache = cache;
        _entry = entry;
    }

    public LLamaWeights Weights => _entry.Weights;

    /// <summary>The adapter applied by the holder, unloaded with the lease.</summary>
    public LoraAdapter? Adapter { get; private set; }

    /// <summary>Bytes of the adapter file (llama.cpp holds the factors as stored).</summary>
    public long AdapterBytes { get; private set; }

    /// <summary>Whether this lease is the one that counts the shared weights.</summary>
    public bool CountsWeights => _cache.Counts(_entry, this);

    /// <summary>The memory this holder accounts for: the weights when it counts them, and its adapter.</summary>
    public long MemoryBytes => (CountsWeights ? (long)Weights.SizeInBytes : 0) + AdapterBytes;

    public void Attach(LoraAdapter adapter, long bytes)
    {
        Adapter = adapter;
        AdapterBytes = bytes;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cache.Return(_entry, this);
    }
}
