using Microsoft.Extensions.Logging;

namespace Maas.Serving.Hosting;

/// <summary>Which loaded versions leave memory, and when: least recently used ones when a load needs room in the
/// memory budget, and those idle for their keep-alive. Pinned versions (an alias, the model's default, a route still
/// on them) and versions with requests in flight always stay.</summary>
internal sealed class EvictionPolicy(
    MemoryBudget budget,
    IReadOnlyDictionary<string, VersionSlot> slots,
    Func<VersionSlot, bool> isPinned,
    DeploymentUnloader unloader,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Counts <paramref name="bytes"/> against the budget, first unloading least recently used versions that
    /// nothing pins and nothing uses; throws (the load fails) when even that is not enough.</summary>
    public long Reserve(VersionSlot self, string key, long bytes)
    {
        var evicted = budget.Reserve(key, bytes, slots.Values.Where(s => s != self).ToList(), isPinned);
        foreach (var deployment in evicted)
        {
            HostLog.Evicted(logger, deployment.Version.Key, key);
            _ = unloader.UnloadAsync(deployment, "memory_budget");
        }

        return bytes;
    }

    /// <summary>Hands a reservation back and zeroes it.</summary>
    public void Release(ref long reserved)
    {
        budget.Release(reserved);
        reserved = 0;
    }

    /// <summary>Unloads versions that nothing pins, with nothing in flight, unused for their keep-alive.</summary>
    public async Task SweepIdleAsync()
    {
        var now = time.GetUtcNow();
        var idle = slots.Values
            .Where(s => s.Serving is { State: ModelState.Ready, IsIdle: true } d
                && d.Settings.KeepAlive > TimeSpan.Zero
                && !isPinned(s)
                && now - (s.LastUsed ?? d.LoadedAt ?? now) >= d.Settings.KeepAlive)
            .OrderBy(s => s.LastUsed ?? DateTimeOffset.MinValue)
            .ToList();
        var unloads = new List<Task>();
        foreach (var slot in idle)
        {
            if (slot.TryEvict() is { } deployment)
            {
                unloads.Add(unloader.UnloadAsync(deployment, "idle"));
            }
        }

        await Task.WhenAll(unloads).ConfigureAwait(false);
    }
}
