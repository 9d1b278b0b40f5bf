using Maas.Engines.Llama;

namespace Maas.UnitTests.Engines.Llama;

public sealed class LlamaKvLedgerTests
{
    private static readonly int[] System = [1, 10, 11, 12, 13, 14, 15, 16];

    [Fact]
    public void Match_PromptSharingCachedPrefix_ReturnsLongestButLeavesLastPromptToken()
    {
        var ledger = new LlamaKvLedger(ids: 4, maxCached: 2);
        Finish(ledger, [.. System, 20, 21], generated: 3);
        Finish(ledger, [.. System[..4], 30], generated: 1);

        var (source, length) = ledger.Match([.. System, 40]);
        var (same, sameLength) = ledger.Match([.. System, 20, 21]);
        var (none, noneLength) = ledger.Match([2, 10, 11]);

        Assert.Equal(System.Length, length);
        Assert.Equal([.. System, 20, 21], source!.Tokens.Take(System.Length + 2));
        Assert.Equal(System.Length + 1, sameLength); // the whole prompt is cached, but its last token gives the logits
        Assert.Same(source, same);
        Assert.Null(none);
        Assert.Equal(0, noneLength);
    }

    [Fact]
    public void Match_RunningSequence_OnlyItsDecodedTokensCount()
    {
        var ledger = new LlamaKvLedger(ids: 4, maxCached: 2);
        var running = ledger.Start([.. System, 20], null, 0);

        Assert.Equal(0, ledger.Match([.. System, 30]).Length);
        running.Decoded = 5;
        var (source, length) = ledger.Match([.. System, 30]);

        Assert.Same(running, source);
        Assert.Equal(5, length);
    }

    [Fact]
    public void CellsInUse_CopiedPrefix_CountsSharedCellsOnce()
    {
        var ledger = new LlamaKvLedger(ids: 4, maxCached: 2);
        var cached = Finish(ledger, [.. System, 20], generated: 2); // 8 + 1 + 2 - 1 = 10 decoded cells

        var (source, length) = ledger.Match([.. System, 30, 31]);
        ledger.Start([.. System, 30, 31], source, length);

        Assert.Equal(10, cached.Decoded);
        Assert.Equal(8, length);
        Assert.Equal(10 + 2, ledger.CellsInUse()); // the new sequence adds only its own two tokens
    }

    [Fact]
    public void Evict_LenderOfRunningSequence_FreesOnlyCellsNobodyShares()
    {
        var ledger = new LlamaKvLedger(ids: 4, maxCached: 2);
        var cached = Finish(ledger, [.. System, 20], generated: 2);
        var (source, length) = ledger.Match([.. System, 30]);
        var running = ledger.Start([.. System, 30], source, length);

        ledger.Evict(cached);

        Assert.Equal(1, ledger.Evictions);
        Assert.Equal(System.Length + 1, ledger.CellsInUse()); // the shared 8 stay, the lender's other 2 go
        Assert.Throws<InvalidOperationException>(() => ledger.Evict(running));
    }

    [Fact]
    public void CellsInUse_ChainOfCopies_CountsEachCellOnce()
    {
        var ledger = new LlamaKvLedger(ids: 6, maxCached: 3);
        var first = Finish(ledger, [.. System, 20, 21, 22], generated: 1);      // 11 cells
        var (s1, l1) = ledger.Match([.. System, 20, 21, 50]);
        var second = ledger.Start([.. System, 20, 21, 50], s1, l1);            // shares 10
        second.Decoded = second.Tokens.Count;
        var (s2, l2) = ledger.Match([.. System, 20, 21, 50, 60]);              // copies 11 from the second: 10 are first's

        ledger.Start([.. System, 20, 21, 50, 60], s2, l2);

        Assert.Same(second, s2);
        Assert.Equal(11, l2);
        Assert.Equal(11 + 1 + 1, ledger.CellsInUse());
        ledger.Evict(first);
        Assert.Equal(11 + 1 + 1 - 1, ledger.CellsInUse()); // first's last cell (token 22) was shared by nobody
    }

    [Fact]
    public void Finish_MoreThanMaxCached_EvictsLeastRecentlyUsed()
    {
        var ledger = new LlamaKvLedger(ids: 4, maxCached: 2);
        var a = Finish(ledger, [1, 10, 11], generated: 1);
        var b = Finish(ledger, [1, 20, 21], generated: 1);
        ledger.Start([1, 10, 11, 12], ledger.Match([1, 10, 11, 12]).Source, 3).Decoded = 3; // a used again: b is older
        var running = ledger.Entries.Single(e => e.IsRunning);
        ledger.Finish(running, keep: false);

        var c = ledger.Start([1, 30, 31], null, 0);
        c.Decoded = 3;
        var removed = ledger.Finish(c, keep: true);

        Assert.Equal([b], removed);
        Assert.Equal(2, ledger.Cached);
        Assert.Contains(a, ledger.Entries);
        Assert.Equal(1, ledger.Evictions);
    }

    [Fact]
    public void Finish_EntryCoveringShorterCachedOne_DropsTheShorterWithoutCountingAnEviction()
    {
        var ledger = new LlamaKvLedger(ids: 4, maxCached: 2);
        var turn1 = Finish(ledger, [1, 10, 11], generated: 2);  // cached [1 10 11 g]
        var turn2Prompt = turn1.Tokens.Concat([12, 13]).ToList();
        var (source, length) = ledger.Match(turn2Prompt);
        var turn2 = ledger.Start(turn2Prompt, source, length);
        turn2.Decoded = turn2.Tokens.Count;

        var removed = ledger.Finish(turn2, keep: true);

        Assert.Equal([turn1], removed);
        Assert.Equal([turn2], ledger.Entries);
        Assert.Equal(0, ledger.Evictions);
        Assert.Equal(turn2Prompt.Count, ledger.CellsInUse());
    }

    [Fact]
    public void Finish_PrefixOfACachedEntry_IsNotKept()
    {
        var ledger = new LlamaKvLedger(ids: 4, maxCached: 2);
        var longer = Finish(ledger, [1, 10, 11, 12, 13], generated: 1);
        var shorter = ledger.Start([1, 10, 11], null, 0);
        shorter.Decoded = 3;

        var removed = ledger.Finish(shorter, keep: true);

        Assert.Equal([shorter], removed);
        Assert.Equal([longer], ledger.Entries);
    }

    [Fact]
    public void Finish_CachingOff_RemovesTheEntryAndFreesItsId()
    {
        var ledger = new LlamaKvLedger(ids: 2, maxCached: 0);
        var entry = ledger.Start([1, 2, 3], null, 0);
        entry.Decoded = 3;

        var removed = ledger.Finish(entry, keep: true);

        Assert.Equal([entry], removed);
        Assert.Empty(ledger.Entries);
        Assert.Equal(0, ledger.CellsInUse());
        Assert.True(ledger.HasFreeId);
    }

    // Starts a sequence, "decodes" its prompt and generated - 1 tokens (the last sampled token never gets a cell) and
    // finishes it into the cache.
    private static LlamaKvEntry Finish(LlamaKvLedger ledger, int[] prompt, int generated)
    {
        var (source, length) = ledger.Match(prompt);
        var entry = ledger.Start(prompt, source, length);
        for (var i = 0; i < generated; i++)
        {
            entry.Decoded = entry.Tokens.Count;
            entry.Tokens.Add(100 + i);
        }

        var removed = ledger.Finish(entry, keep: true);
        Assert.DoesNotContain(entry, removed);
        return entry;
    }
}
