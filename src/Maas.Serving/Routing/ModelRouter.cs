using System.Collections.Immutable;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving.Hosting;
using Microsoft.Extensions.Logging;

namespace Maas.Serving.Routing;

/// <summary>Maps references (<c>name</c>, <c>name@alias</c>, <c>name:version</c>) to loaded deployments.</summary>
/// <remarks>
/// Resolutions are cached in an immutable snapshot that is replaced atomically. When the registry reports a change
/// to a model, every cached reference of that model is resolved again; a reference that now points at another
/// version has that version loaded and warmed <em>before</em> the route moves, and versions no route uses any
/// more are drained and unloaded after. Requests therefore never see a gap during a swap.
/// </remarks>
internal sealed partial class ModelRouter : IDisposable
{
    private readonly IModelRegistry _registry;
    private readonly ModelHost _host;
    private readonly ILogger<ModelRouter> _logger;
    private readonly SemaphoreSlim _reconcile = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, ModelVersionInfo> _routes = ImmutableDictionary.Create<string, ModelVersionInfo>(StringComparer.Ordinal);

    public ModelRouter(IModelRegistry registry, ModelHost host, ILogger<ModelRouter> logger)
    {
        _registry = registry;
        _host = host;
        _logger = logger;
        _registry.ModelChanged += OnModelChanged;
    }

    /// <summary>Resolves a reference to a version (cached).</summary>
    public async Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken)
    {
        var key = reference.ToString();
        if (Volatile.Read(ref _routes).TryGetValue(key, out var version))
        {
            return version;
        }

        // A change to the model between the registry read and the caching would leave a stale route that the
        // reconcile (already past) never revisits, so cache only if no change was announced in between.
        var generation = _generations.GetValueOrDefault(reference.Name);
        version = await _registry.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        if (_generations.GetValueOrDefault(reference.Name) == generation)
        {
            ImmutableInterlocked.TryAdd(ref _routes, key, version);
        }

        return version;
    }

    /// <summary>The ready deployment for a reference, loading it if needed.</summary>
    public async Task<Deployment> RouteAsync(ModelReference reference, CancellationToken cancellationToken)
    {
        var version = await ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        return await _host.GetOrLoadAsync(version, cancellationToken).ConfigureAwait(false);
    }

    private void OnModelChanged(object? sender, ModelChangedEventArgs e)
    {
        _generations.AddOrUpdate(e.Model, 1, static (_, g) => g + 1);
        _ = ReconcileAsync(e.Model);
    }

    /// <summary>Re-resolves the routes of <paramref name="model"/>, loads new targets, then swaps and unloads.</summary>
    internal async Task ReconcileAsync(string model)
    {
        await _reconcile.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var (key, current) in Volatile.Read(ref _routes).Where(r => r.Value.Model == model).ToList())
            {
                ModelVersionInfo? next;
                try
                {
                    next = await _registry.ResolveAsync(ModelReference.Parse(key)).ConfigureAwait(false);
                }
                catch (MaasException ex) when (ex.Kind == MaasErrorKind.NotFound)
                {
                    next = null;
                }

                if (next is null)
                {
                    ImmutableInterlocked.TryRemove(ref _routes, key, out _);
                    continue;
                }

                if (next.Version != current.Version)
                {
                    // Load (and warm) the new target while the old one keeps serving.
                    await _host.GetOrLoadAsync(next, CancellationToken.None).ConfigureAwait(false);
                    ImmutableInterlocked.TryUpdate(ref _routes, key, next, current);
                    LogSwapped(_logger, key, current.Version, next.Version);
                }
            }

            var inUse = Volatile.Read(ref _routes).Values.Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var deployment in _host.Deployments.Where(d => d.Version.Model == model && !inUse.Contains(d.Version.Key)))
            {
                await _host.UnloadAsync(deployment.Version.Key).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LogReconcileFailed(_logger, model, ex);
        }
        finally
        {
            _reconcile.Release();
        }
    }

    public void Dispose()
    {
        _registry.ModelChanged -= OnModelChanged;
        _reconcile.Dispose();
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Route {Reference} moved from version {From} to {To}")]
    private static partial void LogSwapped(ILogger logger, string reference, int from, int to);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Reconciling model {Model} failed")]
    private static partial void LogReconcileFailed(ILogger logger, string model, Exception exception);
}
