using System.Collections.Concurrent;
using Maas.Serving.Metrics;
using Microsoft.Extensions.Logging;

namespace Maas.Serving.Hosting;

/// <summary>Takes instances out of memory: drains each (it finishes what it has), unloads it, hands the memory back to
/// the operating system, and tracks the instances draining meanwhile.</summary>
internal sealed class DeploymentUnloader(ServingMetrics metrics, ILogger logger)
{
    private readonly ConcurrentDictionary<Deployment, byte> _draining = new();

    /// <summary>Instances draining or unloading now.</summary>
    public ICollection<Deployment> Draining => _draining.Keys;

    /// <summary>Drains and unloads <paramref name="deployment"/>; a failure is logged, never thrown.</summary>
    public async Task UnloadAsync(Deployment deployment, string reason)
    {
        _draining.TryAdd(deployment, 0);
        try
        {
            await deployment.UnloadAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            HostLog.UnloadFailed(logger, deployment.Version.Key, ex);
        }
        finally
        {
            _draining.TryRemove(deployment, out _);
        }

        // The engine has freed the version's memory; hand it back to the operating system rather than keep it in the
        // managed and C heaps (NativeHeap explains the measurement). Unloads are rare, so a full blocking collection is cheap here.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        if (deployment.LoadedAt is not null)
        {
            metrics.Unloaded(deployment.Version.Model, deployment.Version.Version, deployment.MemoryAtLoad, reason);
        }

        HostLog.Unloaded(logger, deployment.Version.Key, reason);
    }
}
