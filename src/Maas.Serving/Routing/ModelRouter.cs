using System.Collections.Concurrent;
using System.Collections.Immutable;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Serving.Routing;

/// <summary>Maps references (<c>name</c>, <c>name@alias</c>, <c>name:version</c>) to versions and reconciles what is
/// served with what the registry says.</summary>
/// <remarks>
/// Resolutions are cached in an immutable snapshot that is replaced atomically. When the registry reports a change to a
/// model, every cached reference of that model is resolved again; a reference that now points at another version has
/// that version loaded and warmed <em>before</em> the route moves, and the route moves only if it became ready: a failed
/// load leaves the previous version serving, is recorded (visible in <c>GET /api/deployments</c>) and is tried again
/// after its backoff or at the next change. Then versions no route uses are drained and unloaded, and the model's
/// deployment settings are applied. Requests therefore never see a gap during a swap.
/// </remarks>
internal sealed partial class ModelRouter : IDisposable
{
    private readonly IModelRegistry _registry;
    private readonly ModelHost _host;
    private readonly ServingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRouter> _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _reconciling = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ITimer> _retries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _latest = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, ModelVersionInfo> _routes = ImmutableDictionary.Create<string, ModelVersionInfo>(StringComparer.Ordinal);
    private int _disposed;

    public ModelRouter(IModelRegistry registry, ModelHost host, IOptions<ServingOptions> options, TimeProvider timeProvider, ILogger<ModelRouter> logger)
    {
        _registry = registry;
        _host = host;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _registry.ModelChanged += OnModelChanged;

        // Routes by alias or default (not by explicit version) pin what they serve, even when a failed load keeps
        // them on a version the registry no longer names.
        _host.UseRouteTable(key => Volatile.Read(ref _routes).Any(r => r.Value.Key == key && !r.Key.Contains(':', StringComparison.Ordinal)));
    }

    /// <summary>Resolves a reference to the version that serves it (cached).</summary>
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
        StartReconcile(e.Model);
    }

    /// <summary>The latest reconciliation started for <paramref name="model"/> by a change or a retry (tests wait on it).</summary>
    internal Task WhenReconciled(string model) => _latest.TryGetValue(model, out var task) ? task : Task.CompletedTask;

    private void StartReconcile(string model) => _latest[model] = ReconcileAsync(model);

    /// <summary>Re-resolves the routes of <paramref name="model"/>, loads new targets and moves the routes whose target
    /// became ready, unloads what no route uses, applies the model's settings and schedules retries of failed loads.</summary>
    internal async Task ReconcileAsync(string model)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var gate = _reconciling.GetOrAdd(model, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var config = await _host.RefreshConfigAsync(model, CancellationToken.None).ConfigureAwait(false);
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            var tried = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (key, current) in Volatile.Read(ref _routes).Where(r => r.Value.Model == model).ToList())
            {
                var next = await TryResolveAsync(key).ConfigureAwait(false);
                if (next is null)
                {
                    ImmutableInterlocked.TryRemove(ref _routes, key, out _);
                    continue;
                }

                if (next.Version == current.Version)
                {
                    continue;
                }

                if (config is null || !config.Versions.Contains(current.Version) || _host.IsUnloaded(model))
                {
                    // What served is gone from the registry (nothing better to keep), or the model was unloaded on
                    // request (nothing serves, and nothing should load): the route moves at once.
                    ImmutableInterlocked.TryUpdate(ref _routes, key, next, current);
                    continue;
                }

                tried.Add(next.Key);
                try
                {
                    // Load (and warm) the new target while the old one keeps serving; move only to a ready target.
                    await _host.EnsureLoadedAsync(next, force: true).ConfigureAwait(false);
                    ImmutableInterlocked.TryUpdate(ref _routes, key, next, current);
                    LogSwapped(_logger, key, current.Version, next.Version);
                }
                catch (MaasException ex)
                {
                    wanted.Add(next.Key);
                    LogKept(_logger, key, current.Version, next.Version, ex.Message);
                }
            }

            wanted.UnionWith(Volatile.Read(ref _routes).Values.Where(v => v.Model == model).Select(v => v.Key));
            await _host.UnloadUnusedAsync(model, wanted, config).ConfigureAwait(false);
            if (config is not null)
            {
                await _host.ReconcileSettingsAsync(model, config, tried).ConfigureAwait(false);
            }

            ScheduleRetry(model);
        }
        catch (Exception ex)
        {
            LogReconcileFailed(_logger, model, ex);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ModelVersionInfo?> TryResolveAsync(string key)
    {
        try
        {
            return await _registry.ResolveAsync(ModelReference.Parse(key)).ConfigureAwait(false);
        }
        catch (MaasException ex) when (ex.Kind == MaasErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>Reconciles the model again when its earliest failed load is due for a retry.</summary>
    private void ScheduleRetry(string model)
    {
        if (_retries.TryRemove(model, out var previous))
        {
            previous.Dispose();
        }

        if (_host.NextRetry(model) is not { } at || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var due = at - _time.GetUtcNow();
        var timer = _time.CreateTimer(
            static state =>
            {
                var (router, name) = ((ModelRouter, string))state!;
                router.StartReconcile(name);
            },
            (this, model),
            due > TimeSpan.Zero ? due : _options.LoadRetryDelay,
            Timeout.InfiniteTimeSpan);
        if (!_retries.TryAdd(model, timer))
        {
            timer.Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _registry.ModelChanged -= OnModelChanged;
        foreach (var timer in _retries.Values)
        {
            timer.Dispose();
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Route {Reference} moved from version {From} to {To}")]
    private static partial void LogSwapped(ILogger logger, string reference, int from, int to);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Reconciling model {Model} failed")]
    private static partial void LogReconcileFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Route {Reference} stays on version {From}: version {To} did not load ({Reason})")]
    private static partial void LogKept(ILogger logger, string reference, int from, int to, string reason);
}
