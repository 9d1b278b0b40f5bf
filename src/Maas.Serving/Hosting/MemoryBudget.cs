using System.Globalization;
using Maas.Core.Errors;

namespace Maas.Serving.Hosting;

/// <summary>Memory held by loaded versions (engines' estimates) and reserved by loads under way, against
/// <c>Maas:Serving:MemoryBudget</c>.</summary>
/// <remarks>Making room takes the least recently used ready versions that nothing pins and that have nothing in flight
/// out of service; if even all of them would not be enough, none is touched and the load fails with the reason.</remarks>
internal sealed class MemoryBudget(long limit)
{
    private readonly Lock _gate = new();
    private long _reserved;

    /// <summary>Bytes allowed; 0 = unlimited.</summary>
    public long Limit => limit;

    /// <summary>Reserves <paramref name="bytes"/> for <paramref name="key"/>, evicting from <paramref name="others"/> as
    /// needed; returns the evicted instances (already out of service) for the caller to unload.</summary>
    /// <exception cref="MaasException">Unavailable when the versions that cannot be evicted leave too little.</exception>
    public IReadOnlyList<Deployment> Reserve(string key, long bytes, IReadOnlyList<VersionSlot> others, Func<VersionSlot, bool> isPinned)
    {
        var evicted = new List<Deployment>();
        lock (_gate)
        {
            if (limit > 0)
            {
                var used = _reserved + others.Sum(s => s.Serving?.MemoryBytes ?? 0);
                if (used + bytes > limit)
                {
                    var candidates = others
                        .Where(s => s.Serving is { State: ModelState.Ready, IsIdle: true } && !isPinned(s))
                        .OrderBy(s => s.LastUsed ?? DateTimeOffset.MinValue)
                        .ToList();
                    var freeable = candidates.Sum(s => s.Serving?.MemoryBytes ?? 0);
                    if (used - freeable + bytes > limit)
                    {
                        throw MaasException.Unavailable(OverBudget(key, bytes, used - freeable));
                    }

                    foreach (var candidate in candidates)
                    {
                        if (used + bytes <= limit)
                        {
                            break;
                        }

                        if (candidate.TryEvict() is { } deployment)
                        {
                            used -= deployment.MemoryBytes;
                            evicted.Add(deployment);
                        }
                    }

                    if (used + bytes > limit)
                    {
                        throw MaasException.Unavailable(OverBudget(key, bytes, used));
                    }
                }
            }

            _reserved += bytes;
        }

        return evicted;
    }

    public void Release(long bytes)
    {
        if (bytes != 0)
        {
            lock (_gate)
            {
                _reserved -= bytes;
            }
        }
    }

    private string OverBudget(string key, long bytes, long held) => string.Create(
        CultureInfo.InvariantCulture,
        $"Not enough memory: {key} needs about {Mib(bytes)}, and {Mib(held)} of the {Mib(limit)} budget (Maas:Serving:MemoryBudget) is held by versions that an alias pins or that are in use.");

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):F1} MiB");
}
