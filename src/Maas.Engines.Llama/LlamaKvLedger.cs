namespace Maas.Engines.Llama;

/// <summary>Book-keeping for the KV cache of one llama.cpp context: which sequence id holds which tokens, the prefix
/// index that finds the longest cached prefix of a new prompt, the exact count of cells in use, and the LRU order of
/// cached prefixes. Pure managed state: <see cref="LlamaTextGenerator"/> makes the matching llama.cpp calls.</summary>
/// <remarks>
/// <para>Ids <c>0 .. ids - 1</c> are shared by running sequences and cached prefixes; at most
/// <c>maxCached</c> entries are cached, so a running sequence always finds a free id while fewer than
/// <c>ids - maxCached</c> run.</para>
/// <para>Cells: llama.cpp frees a cell once no sequence id is on it. A copied prefix is one set of cells under several
/// ids, so the cells in use are, per block of cells some entry decoded, the longest run any entry still holds of it.
/// Dropping a cached entry whose prefix a running sequence copied therefore frees only the cells nobody else holds,
/// and never touches the running sequence's.</para>
/// </remarks>
internal sealed class LlamaKvLedger
{
    private readonly LlamaKvEntry?[] _entries;
    private readonly int _maxCached;
    private long _clock;

    public LlamaKvLedger(int ids, int maxCached)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ids, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCached);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(maxCached, ids);
        _entries = new LlamaKvEntry?[ids];
        _maxCached = maxCached;
    }

    public int Running { get; private set; }

    public int Cached { get; private set; }

    /// <summary>Cached entries dropped to make room (not those dropped because a longer one covers them).</summary>
    public long Evictions { get; private set; }

    public IEnumerable<LlamaKvEntry> Entries => _entries.OfType<LlamaKvEntry>();

    /// <summary>The entry holding the longest prefix of <paramref name="prompt"/> that has cells, and its length; at
    /// most <c>prompt.Count - 1</c>, since the last prompt token must be decoded to give logits.</summary>
    public (LlamaKvEntry? Source, int Length) Match(IReadOnlyList<int> prompt)
    {
        LlamaKvEntry? best = null;
        var bestLength = 0;
        var limit = prompt.Count - 1;
        foreach (var entry in _entries)
        {
            if (entry is null)
            {
                continue;
            }

            var end = Math.Min(limit, entry.Decoded);
            var length = 0;
            var tokens = entry.Tokens;
            while (length < end && tokens[length] == prompt[length])
            {
                length++;
            }

            // Ties go to the running entry or the more recent one: either serves, cached ones age out first.
            if (length > bestLength || (length == bestLength && length > 0 && best is not null && Rank(entry) > Rank(best)))
            {
                best = entry;
                bestLength = length;
            }
        }

        return (best, bestLength);
    }

    /// <summary>Registers a new running sequence on a free id, sharing the first <paramref name="length"/> cells of
    /// <paramref name="source"/> (the caller copies them in llama.cpp).</summary>
    public LlamaKvEntry Start(IReadOnlyList<int> prompt, LlamaKvEntry? source, int length)
    {
        var id = Array.IndexOf(_entries, null);
        if (id < 0)
        {
            throw new InvalidOperationException("No free sequence id: evict a cached prefix first.");
        }

        if (source is not null && (length > source.Decoded || _entries[source.Id] != source))
        {
            throw new ArgumentException("The source does not hold that prefix.", nameof(source));
        }

        var borrowed = source is null || length == 0 ? [] : source.Prefix(length);
        var entry = new LlamaKvEntry(id, [.. prompt], borrowed) { LastUsed = ++_clock };
        if (source is not null && length > 0)
        {
            source.LastUsed = _clock;
        }

        _entries[id] = entry;
        Running++;
        return entry;
    }

    /// <summary>True when a new sequence can get an id without evicting.</summary>
    public bool HasFreeId => Running + Cached < _entries.Length;

    /// <summary>Cells that will be in use after the next decode (running sequences' pending tokens included).</summary>
    public int CellsInUse()
    {
        var longest = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        foreach (var entry in _entries)
        {
            if (entry is null)
            {
                continue;
            }

            foreach (var run in entry.Borrowed)
            {
                Longer(longest, run.Block, run.Length);
            }

            Longer(longest, entry.Own, entry.PlannedCells - entry.BorrowedCells);
        }

        var cells = 0;
        foreach (var length in longest.Values)
        {
            cells += length;
        }

        return cells;
    }

    /// <summary>The least recently used cached entry other than <paramref name="except"/>, if any.</summary>
    public LlamaKvEntry? LeastRecentlyUsed(LlamaKvEntry? except = null)
    {
        LlamaKvEntry? oldest = null;
        foreach (var entry in _entries)
        {
            if (entry is { IsRunning: false } && entry != except && (oldest is null || entry.LastUsed < oldest.LastUsed))
            {
                oldest = entry;
            }
        }

        return oldest;
    }

    /// <summary>Drops a cached entry to make room; the caller removes its id's cells in llama.cpp.</summary>
    public void Evict(LlamaKvEntry entry)
    {
        if (entry.IsRunning)
        {
            throw new InvalidOperationException("A running sequence is never evicted.");
        }

        Remove(entry);
        Evictions++;
    }

    /// <summary>A sequence ended. With <paramref name="keep"/> its decoded tokens stay as a cached prefix, cached
    /// prefixes it covers are dropped, and the least recently used go while too many are cached. Returns the entries
    /// whose ids' cells the caller must remove in llama.cpp (the finished one itself when it is not kept).</summary>
    public List<LlamaKvEntry> Finish(LlamaKvEntry entry, bool keep)
    {
        if (_entries[entry.Id] != entry || !entry.IsRunning)
        {
            throw new ArgumentException("The entry is not a running sequence of this ledger.", nameof(entry));
        }

        Running--;
        var removed = new List<LlamaKvEntry>();
        if (!keep || entry.Decoded == 0 || _maxCached == 0 || CoveredByCached(entry))
        {
            _entries[entry.Id] = null;
            removed.Add(entry);
            return removed;
        }

        entry.Cache(++_clock);
        Cached++;
        foreach (var other in _entries)
        {
            if (other is { IsRunning: false } && other != entry && IsPrefixOf(other, entry))
            {
                Remove(other);
                removed.Add(other);
            }
        }

        while (Cached > _maxCached && LeastRecentlyUsed(entry) is { } victim)
        {
            Evict(victim);
            removed.Add(victim);
        }

        return removed;
    }

    /// <summary>Forgets every entry (the context was cleared or disposed).</summary>
    public void Clear()
    {
        Array.Clear(_entries);
        Running = 0;
        Cached = 0;
    }

    private bool CoveredByCached(LlamaKvEntry entry)
    {
        foreach (var other in _entries)
        {
            if (other is { IsRunning: false } && other.Decoded >= entry.Decoded && IsPrefixOf(entry, other, entry.Decoded))
            {
                other.LastUsed = ++_clock;
                return true;
            }
        }

        return false;
    }

    private static bool IsPrefixOf(LlamaKvEntry shorter, LlamaKvEntry longer) =>
        shorter.Decoded <= longer.Decoded && IsPrefixOf(shorter, longer, shorter.Decoded);

    private static bool IsPrefixOf(LlamaKvEntry shorter, LlamaKvEntry longer, int length)
    {
        for (var i = 0; i < length; i++)
        {
            if (shorter.Tokens[i] != longer.Tokens[i])
            {
                return false;
            }
        }

        return true;
    }

    private void Remove(LlamaKvEntry entry)
    {
        _entries[entry.Id] = null;
        if (entry.IsRunning)
        {
            Running--;
        }
        else
        {
            Cached--;
        }
    }

    private static long Rank(LlamaKvEntry entry) => entry.IsRunning ? long.MaxValue : entry.LastUsed;

    private static void Longer(Dictionary<object, int> longest, object block, int length)
    {
        if (length > 0 && (!longest.TryGetValue(block, out var current) || length > current))
        {
            longest[block] = length;
        }
    }
}
