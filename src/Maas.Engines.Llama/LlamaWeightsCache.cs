using LLama;
using LLama.Common;

namespace Maas.Engines.Llama;

/// <summary>Weights loaded once per GGUF file and shared by every generator that uses that file: a base model and the
/// LoRA adapter versions on top of it each have their own context (KV cache, adapter) over one copy of the weights.</summary>
/// <remarks>Keyed by the file's full path; the registry's artifact cache is content-addressed, so one path is one
/// content. A load happens under the cache's lock, so two deployments racing for one file load it once.</remarks>
internal sealed class LlamaWeightsCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _loads;

    /// <summary>How many times weights were read from disk (tests: sharing loads once).</summary>
    public int LoadCount => Volatile.Read(ref _loads);

    /// <summary>Files whose weights are loaded now.</summary>
    public int LoadedCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>A share of the weights of <paramref name="parameters"/>' file, loading them when nobody holds them.</summary>
    public LlamaWeightsLease Acquire(ModelParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var key = Path.GetFullPath(parameters.ModelPath);
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry(key, LLamaWeights.LoadFromFile(parameters));
                Interlocked.Increment(ref _loads);
                _entries[key] = entry;
            }

            var lease = new LlamaWeightsLease(this, entry);
            entry.Leases.Add(lease);
            return lease;
        }
    }

    /// <summary>Loads a LoRA adapter onto shared weights (serialised with loads and frees: llama.cpp keeps a
    /// per-model list of adapters).</summary>
    public void AttachAdapter(LlamaWeightsLease lease, string adapterPath)
    {
        lock (_gate)
        {
            var adapter = lease.Weights.NativeHandle.LoadLoraFromFile(adapterPath);
            lease.Attach(adapter, new FileInfo(adapterPath).Length);
        }
    }

    internal bool Counts(Entry entry, LlamaWeightsLease lease)
    {
        lock (_gate)
        {
            return entry.Leases.Count > 0 && entry.Leases[0] == lease;
        }
    }

    internal void Return(Entry entry, LlamaWeightsLease lease)
    {
        lock (_gate)
        {
            lease.Adapter?.Unload();
            entry.Leases.Remove(lease);
            if (entry.Leases.Count == 0)
            {
                _entries.Remove(entry.Key);
                entry.Weights.Dispose();
            }
        }
    }

    /// <summary>One file's weights and who holds them, oldest first.</summary>
    internal sealed class Entry(string key, LLamaWeights weights)
    {
        public string Key { get; } = key;

        public LLamaWeights Weights { get; } = weights;

        public List<LlamaWeightsLease> Leases { get; } = [];
    }
}
