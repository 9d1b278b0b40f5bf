using System.Collections.Concurrent;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Serving.Hosting;

/// <summary>Loads, warms up and unloads versions; one <see cref="Deployment"/> per version key.</summary>
internal sealed partial class ModelHost(
    IModelRegistry registry,
    IEnumerable<IModelEngine> engines,
    PipelineFactory pipelines,
    IOptions<ServingOptions> options,
    ILogger<ModelHost> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IModelEngine> _engines = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<Deployment> Deployments => _entries.Values.Select(e => e.Deployment).ToList();

    public Deployment? Find(string key) => _entries.TryGetValue(key, out var entry) ? entry.Deployment : null;

    /// <summary>Returns the version's deployment, loading it first if needed; waits at most the load timeout.</summary>
    public async Task<Deployment> GetOrLoadAsync(ModelVersionInfo version, CancellationToken cancellationToken)
    {
        var entry = GetOrStart(version);
        try
        {
            await entry.Loaded.WaitAsync(options.Value.LoadTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw MaasException.Unavailable($"Model {version.Key} is still loading; retry shortly.");
        }

        return entry.Deployment;
    }

    /// <summary>Starts loading without waiting (readiness probes).</summary>
    public Deployment StartLoading(ModelVersionInfo version) => GetOrStart(version).Deployment;

    private Entry GetOrStart(ModelVersionInfo version) =>
        _entries.GetOrAdd(version.Key, static (_, state) => state.Host.Start(state.Version), (Host: this, Version: version));

    private Entry Start(ModelVersionInfo version)
    {
        var settings = options.Value.Defaults;
        // A text generator's token scheduler bounds its own sequences and queue; the gate only has to let them through.
        var deployment = version.Manifest.Task == ModelTasks.TextGeneration
            ? new Deployment(version, settings.MaxBatchSize + Math.Max(1, settings.MaxQueue), 0)
            : new Deployment(version, settings.EffectiveInstances(Environment.ProcessorCount), settings.MaxQueue);
        return new Entry(deployment, Task.Run(() => LoadAsync(deployment)));
    }

    private async Task LoadAsync(Deployment deployment)
    {
        var version = deployment.Version;
        var started = DateTime.UtcNow;
        LogLoading(logger, version.Key, version.Manifest.Engine);
        try
        {
            if (!_engines.TryGetValue(version.Manifest.Engine, out var engine))
            {
                throw MaasException.Unavailable($"No engine named '{version.Manifest.Engine}' is installed.");
            }

            var files = version.Files.ToDictionary(f => f.Name, f => registry.GetArtifactPath(f.Sha256), StringComparer.Ordinal);
            var context = new ModelLoadContext(version.Key, version.Manifest, files, options.Value.Defaults);
            var model = await engine.LoadAsync(context).ConfigureAwait(false);
            IInferencePipeline pipeline;
            try
            {
                pipeline = pipelines.Create(model, context);
            }
            catch
            {
                await model.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await WarmUp.RunAsync(pipeline, logger, version.Key).ConfigureAwait(false);
            deployment.MarkReady(pipeline);
            LogReady(logger, version.Key, (DateTime.UtcNow - started).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            var reason = ex is MaasException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            deployment.MarkFailed(reason);
            LogFailed(logger, version.Key, reason);
        }
    }

    /// <summary>Unloads a version after its running requests finish.</summary>
    public async Task UnloadAsync(string key)
    {
        if (_entries.TryRemove(key, out var entry))
        {
            await entry.Loaded.ConfigureAwait(false);
            await entry.Deployment.UnloadAsync().ConfigureAwait(false);
            LogUnloaded(logger, key);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _entries.Keys.ToList())
        {
            await UnloadAsync(key).ConfigureAwait(false);
        }
    }

    private sealed record Entry(Deployment Deployment, Task Loaded);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Loading {Key} on engine {Engine}")]
    private static partial void LogLoading(ILogger logger, string key, string engine);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "{Key} ready in {Milliseconds:F0} ms")]
    private static partial void LogReady(ILogger logger, string key, double milliseconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "{Key} failed to load: {Reason}")]
    private static partial void LogFailed(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "{Key} unloaded")]
    private static partial void LogUnloaded(ILogger logger, string key);
}
