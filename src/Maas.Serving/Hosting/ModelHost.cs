using System.Collections.Concurrent;
using System.Collections.Immutable;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Serving.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Serving.Hosting;

/// <summary>Loads, warms up, swaps and unloads versions: one <see cref="VersionSlot"/> per version key, holding the
/// instance that serves it.</summary>
/// <remarks>
/// <para>A version loads exactly once however many requests race for it (one load per slot at a time, started under the
/// slot's lock, never inside a dictionary factory). A load is cancelled at the load timeout or at shutdown. A failed load
/// records its reason and is not tried again before its backoff (5 s doubling to 5 min by default) unless forced by a
/// registry change.</para>
/// <para>Settings changes go to the running pipeline when it accepts them; otherwise a new instance with the new
/// settings loads beside the serving one and takes over when ready, and the old one drains.</para>
/// <para>Memory: before and after each load, least recently used versions that nothing pins (no alias, not the
/// model's default) and that have nothing in flight are unloaded until the new one fits the budget. Versions idle
/// for their keep-alive are unloaded the same way; a later request loads them again.</para>
/// <para>The host decides what loads and when (slots, settings, explicit unloads); a load itself is
/// <see cref="VersionLoader"/>'s, which versions leave memory is <see cref="EvictionPolicy"/>'s, and draining and
/// unloading an instance is <see cref="DeploymentUnloader"/>'s.</para>
/// </remarks>
internal sealed partial class ModelHost : IAsyncDisposable
{
    private readonly ServingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHost> _logger;
    private readonly ConcurrentDictionary<string, VersionSlot> _slots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly MemoryBudget _budget;
    private readonly DeploymentUnloader _unloader;
    private readonly EvictionPolicy _eviction;
    private readonly VersionLoader _loader;
    private readonly ITimer _idleTimer;
    private readonly ModelConfigs _configs;
    private Func<string, bool>? _servesAliasRoute;
    private ImmutableHashSet<string> _unloaded = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    private int _disposed;

    public ModelHost(
        IModelRegistry registry,
        IEnumerable<IModelEngine> engines,
        IPipelineBuilder pipelines,
        IOptions<ServingOptions> options,
        TimeProvider timeProvider,
        ServingMetrics metrics,
        ILogger<ModelHost> logger)
    {
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _budget = new MemoryBudget(_options.EffectiveMemoryBudget());
        _configs = new ModelConfigs(registry, _options.Defaults);
        _unloader = new DeploymentUnloader(metrics, logger);
        _eviction = new EvictionPolicy(_budget, _slots, IsPinned, _unloader, timeProvider, logger);
        var engineMap = engines.GroupBy(e => e.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        _loader = new VersionLoader(registry, engineMap, pipelines, _options, timeProvider, metrics, logger, _eviction, _unloader, _shutdown.Token);
        _idleTimer = _time.CreateTimer(static state => _ = ((ModelHost)state!).SweepIdleSafelyAsync(), this, _options.IdleCheckInterval, _options.IdleCheckInterval);
    }

    /// <summary>Bytes loaded versions may hold together; 0 = unlimited.</summary>
    public long MemoryBudget => _budget.Limit;

    /// <summary>Every version loaded, loading, failed or draining, by model then version.</summary>
    public IReadOnlyList<DeploymentStatus> Status(string? model = null)
    {
        var list = new List<DeploymentStatus>();
        foreach (var slot in _slots.Values)
        {
            if ((model is null || slot.Model == model) && DeploymentStatuses.Of(slot, IsPinned(slot)) is { } status)
            {
                list.Add(status);
            }
        }

        foreach (var draining in _unloader.Draining)
        {
            if ((model is null || draining.Version.Model == model) && !list.Any(s => s.Model == draining.Version.Model && s.Version == draining.Version.Version))
            {
                list.Add(DeploymentStatuses.Of(draining, ModelState.Unloading, null, null, false, false));
            }
        }

        return list.OrderBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.Version).ToList();
    }

    /// <summary>The instance serving a version key, if one is ready.</summary>
    public Deployment? FindServing(string key) => _slots.TryGetValue(key, out var slot) ? slot.Serving : null;

    /// <summary>The ready instance of a version for a request, loading it first if needed; waits at most the load timeout.
    /// A version whose last load failed answers 503 with the reason until its backoff has passed.</summary>
    public async Task<Deployment> GetOrLoadAsync(ModelVersionInfo version, CancellationToken cancellationToken)
    {
        var slot = Slot(version);
        slot.Touch(_time.GetUtcNow());
        if (slot.Serving is { } serving)
        {
            return serving;
        }

        // A request for an explicitly unloaded model is the "request asks" that ends the unload.
        ClearUnloaded(version.Model);
        var config = await GetConfigAsync(version.Model, cancellationToken).ConfigureAwait(false);
        var load = StartLoad(slot, version, config.Settings, force: false);
        try
        {
            return await load.WaitAsync(_options.LoadTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw MaasException.Unavailable($"Model {version.Key} is still loading; retry shortly.");
        }
    }

    /// <summary>Loads a version (reconciliation): waits for the load however long it takes (the load has its own timeout);
    /// <paramref name="force"/> ignores the backoff of an earlier failure.</summary>
    public async Task<Deployment> EnsureLoadedAsync(ModelVersionInfo version, bool force)
    {
        var slot = Slot(version);
        if (slot.Serving is { } serving)
        {
            return serving;
        }

        if (IsUnloaded(version.Model))
        {
            throw MaasException.Unavailable($"Model {version.Model} was unloaded through the repository API; load it or send it a request.");
        }

        var config = await GetConfigAsync(version.Model, CancellationToken.None).ConfigureAwait(false);
        return await StartLoad(slot, version, config.Settings, force).ConfigureAwait(false);
    }

    /// <summary>The state of a version, starting a load if none is under way (readiness probes); never waits for it.</summary>
    public async Task<ModelState> StartLoadingAsync(ModelVersionInfo version, CancellationToken cancellationToken)
    {
        var slot = Slot(version);
        if (slot.Serving is { } serving)
        {
            return serving.State;
        }

        if (IsUnloaded(version.Model))
        {
            return ModelState.Unloaded;
        }

        var config = await GetConfigAsync(version.Model, cancellationToken).ConfigureAwait(false);
        var load = StartLoad(slot, version, config.Settings, force: false);
        _ = load.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return slot.Serving?.State ?? (load.IsFaulted ? ModelState.Failed : ModelState.Loading);
    }

    /// <summary>True while <paramref name="model"/> is unloaded through the repository API (until a load or a request).</summary>
    public bool IsUnloaded(string model) => Volatile.Read(ref _unloaded).Contains(model);

    /// <summary>Explicit load (repository API): ends an explicit unload and loads <paramref name="version"/>, ignoring
    /// the backoff of an earlier failure; waits until it is ready or its load failed.</summary>
    public Task<Deployment> LoadExplicitlyAsync(ModelVersionInfo version)
    {
        ClearUnloaded(version.Model);
        return EnsureLoadedAsync(version, force: true);
    }

    /// <summary>Explicit unload (repository API): marks the model unloaded, lets loads under way finish, then drains and
    /// unloads every loaded version of it and forgets their failures. Until a load or a request asks, nothing loads
    /// it again: not readiness probes, not a registry change (routes move without loading), not pins.</summary>
    public async Task UnloadModelAsync(string model)
    {
        ImmutableInterlocked.Update(ref _unloaded, static (set, name) => set.Add(name), model);
        var unloads = new List<Task>();
        foreach (var slot in _slots.Values.Where(s => s.Model == model).ToList())
        {
            if (slot.Loading is { } loading)
            {
                await IgnoreFailureAsync(loading.Task).ConfigureAwait(false);
            }

            Deployment? serving;
            lock (slot.Gate)
            {
                serving = slot.Serving;
                slot.Serving = null;
                slot.Failure = null;
            }

            if (serving is not null)
            {
                unloads.Add(_unloader.UnloadAsync(serving, "explicit"));
            }
        }

        await Task.WhenAll(unloads).ConfigureAwait(false);
    }

    private void ClearUnloaded(string model)
    {
        if (IsUnloaded(model))
        {
            ImmutableInterlocked.Update(ref _unloaded, static (set, name) => set.Remove(name), model);
        }
    }

    /// <summary>The model's effective settings and pins, read from the registry on first use.</summary>
    public Task<ModelConfig> GetConfigAsync(string model, CancellationToken cancellationToken) => _configs.GetAsync(model, cancellationToken);

    /// <summary>Reads the model's settings and pins again (after a registry change); null when the model is gone.</summary>
    public Task<ModelConfig?> RefreshConfigAsync(string model, CancellationToken cancellationToken) => _configs.RefreshAsync(model, cancellationToken);

    /// <summary>Brings the model's loaded versions to <paramref name="config"/>'s settings (the running pipeline takes
    /// them, or a new instance loads and takes over) and retries its failed loads, except the keys in
    /// <paramref name="skip"/> (already tried in this round).</summary>
    public async Task ReconcileSettingsAsync(string model, ModelConfig config, IReadOnlySet<string> skip)
    {
        foreach (var slot in _slots.Values.Where(s => s.Model == model && !skip.Contains(s.Key)).ToList())
        {
            if (slot.Loading is { } loading)
            {
                await IgnoreFailureAsync(loading.Task).ConfigureAwait(false);
            }

            var serving = slot.Serving;
            if (serving is null)
            {
                if (slot.Failure is not null && config.Versions.Contains(slot.Number))
                {
                    await IgnoreFailureAsync(StartLoad(slot, slot.Version, config.Settings, force: true)).ConfigureAwait(false);
                }

                continue;
            }

            if (serving.Settings == config.Settings)
            {
                continue;
            }

            // Preload and keep-alive are the host's own; only the rest concerns the pipeline.
            var hostOnly = serving.Settings with { Preload = config.Settings.Preload, KeepAlive = config.Settings.KeepAlive } == config.Settings;
            if (hostOnly || (serving.Pipeline is { } pipeline && pipeline.TryApply(config.Settings)))
            {
                serving.ApplySettings(config.Settings);
                HostLog.SettingsApplied(_logger, slot.Key);
                continue;
            }

            HostLog.Reloading(_logger, slot.Key);
            await IgnoreFailureAsync(StartLoad(slot, slot.Version, config.Settings, force: true)).ConfigureAwait(false);
        }
    }

    /// <summary>Drains and unloads the model's versions outside <paramref name="keep"/>, and forgets their failures.</summary>
    public async Task UnloadUnusedAsync(string model, IReadOnlySet<string> keep, ModelConfig? config)
    {
        var unloads = new List<Task>();
        foreach (var slot in _slots.Values.Where(s => s.Model == model && !keep.Contains(s.Key)))
        {
            Deployment? serving;
            lock (slot.Gate)
            {
                serving = slot.Serving;
                slot.Serving = null;
                slot.Failure = null;
            }

            if (serving is not null)
            {
                var reason = config is null || !config.Versions.Contains(slot.Number) ? "deleted" : "route_moved";
                unloads.Add(_unloader.UnloadAsync(serving, reason));
            }
        }

        await Task.WhenAll(unloads).ConfigureAwait(false);
    }

    /// <summary>When the model's earliest pending retry is due, if any failed load waits for one.</summary>
    public DateTimeOffset? NextRetry(string model)
    {
        var due = _slots.Values
            .Where(s => s.Model == model && s.Loading is null)
            .Select(s => s.Failure)
            .OfType<LoadFailure>()
            .Select(f => f.RetryAt)
            .ToList();
        return due.Count == 0 ? null : due.Min();
    }

    /// <summary>Unloads versions that nothing pins, with nothing in flight, unused for their keep-alive.</summary>
    public Task SweepIdleAsync() => _eviction.SweepIdleAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _idleTimer.DisposeAsync().ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var slot in _slots.Values)
        {
            if (slot.Loading is { } loading)
            {
                await IgnoreFailureAsync(loading.Task).ConfigureAwait(false);
            }
        }

        foreach (var slot in _slots.Values)
        {
            Deployment? serving;
            lock (slot.Gate)
            {
                serving = slot.Serving;
                slot.Serving = null;
            }

            if (serving is not null)
            {
                await _unloader.UnloadAsync(serving, "shutdown").ConfigureAwait(false);
            }
        }

        _shutdown.Dispose();
    }

    private VersionSlot Slot(ModelVersionInfo version) =>
        _slots.GetOrAdd(version.Key, static (_, v) => new VersionSlot(v), version);

    /// <summary>Starts the slot's one load, or joins the load under way. The only place a load starts.</summary>
    private Task<Deployment> StartLoad(VersionSlot slot, ModelVersionInfo version, DeploymentSettings settings, bool force)
    {
        lock (slot.Gate)
        {
            if (slot.Loading is { } loading)
            {
                return loading.Task;
            }

            if (slot.Serving is { } serving && serving.Settings == settings)
            {
                return Task.FromResult(serving);
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                return Task.FromException<Deployment>(MaasException.Unavailable("The server is shutting down."));
            }

            var failure = slot.Failure;
            if (!force && failure is not null && failure.Settings == settings && failure.RetryAt > _time.GetUtcNow())
            {
                return Task.FromException<Deployment>(VersionLoader.FailedError(slot.Key, failure));
            }

            slot.Version = version;
            var deployment = new Deployment(version, settings, _time.GetUtcNow());
            var failures = failure?.Attempts ?? 0;
            var task = Task.Run(() => _loader.LoadAsync(slot, deployment, failures));
            slot.Loading = new VersionSlot.PendingLoad(deployment, task);
            return task;
        }
    }

    private bool IsPinned(VersionSlot slot) =>
        _configs.IsPinned(slot.Model, slot.Number) || (_servesAliasRoute?.Invoke(slot.Key) ?? false);

    /// <summary>Tells the host which versions an alias or default route still serves: after a failed load the route
    /// stays on the old version although the registry points elsewhere, and that version must stay pinned.</summary>
    internal void UseRouteTable(Func<string, bool> servesAliasRoute) => _servesAliasRoute = servesAliasRoute;

    private async Task SweepIdleSafelyAsync()
    {
        try
        {
            await SweepIdleAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            HostLog.SweepFailed(_logger, ex);
        }
    }

    private static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (MaasException)
        {
            // Recorded on the slot and logged where the load failed.
        }
    }
}
