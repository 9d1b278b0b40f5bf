namespace Maas.Engines.Llama;

/// <summary>What one llama.cpp sequence id holds in the KV cache: its tokens, how many of them have cells, and which
/// of those cells it shares with the sequence it copied its prefix from.</summary>
/// <remarks>
/// A running entry belongs to a live <see cref="LlamaSequence"/>; a cached one is a finished sequence kept for its
/// prefix. Cells copied with <c>llama_memory_seq_cp</c> are the same physical cells under two sequence ids, so an
/// entry lists them as <see cref="Borrowed"/> runs of its lender's blocks, followed by its own block
/// (<see cref="Own"/>) for the cells it decoded itself.
/// </remarks>
internal sealed class LlamaKvEntry
{
    public LlamaKvEntry(int id, List<int> tokens, LlamaKvRun[] borrowed)
    {
        Id = id;
        Tokens = tokens;
        Borrowed = borrowed;
        foreach (var run in borrowed)
        {
            BorrowedCells += run.Length;
        }

        Decoded = BorrowedCells;
        IsRunning = true;
    }

    public int Id { get; }

    /// <summary>Prompt and generated tokens; for a cached entry exactly the tokens that have cells.</summary>
    public List<int> Tokens { get; private set; }

    /// <summary>Tokens <c>[0, Decoded)</c> have cells at positions <c>0 .. Decoded - 1</c>.</summary>
    public int Decoded { get; set; }

    public bool IsRunning { get; private set; }

    /// <summary>Logical clock of the last time the entry was created or lent its prefix (LRU eviction).</summary>
    public long LastUsed { get; set; }

    /// <summary>Cells copied from other entries at start, in position order.</summary>
    public LlamaKvRun[] Borrowed { get; }

    public int BorrowedCells { get; }

    /// <summary>Identity of the cells this entry decoded itself (positions from <see cref="BorrowedCells"/> on).</summary>
    public object Own { get; } = new();

    /// <summary>Cells the entry will hold after the next decode: a running sequence's pending tokens included.</summary>
    public int PlannedCells => IsRunning ? Tokens.Count : Decoded;

    /// <summary>Turns a finished sequence into a cached prefix: only the tokens with cells stay.</summary>
    public void Cache(long clock)
    {
        IsRunning = false;
        Tokens = Tokens.GetRange(0, Decoded);
        LastUsed = clock;
    }

    /// <summary>The runs covering this entry's first <paramref name="length"/> cells (at most <see cref="Decoded"/>).</summary>
    public LlamaKvRun[] Prefix(int length)
    {
        var runs = new List<LlamaKvRun>(Borrowed.Length + 1);
        var left = length;
        foreach (var run in Borrowed)
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(left, run.Length);
            runs.Add(run with { Length = take });
            left -= take;
        }

        if (left > 0)
        {
            runs.Add(new LlamaKvRun(Own, left));
        }

        return [.. runs];
    }
}
