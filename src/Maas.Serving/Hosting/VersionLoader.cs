using System.Globalization;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Serving.Metrics;
using Maas.Serving.Pipelines;
using Microsoft.Extensions.Logging;

namespace Maas.Serving.Hosting;

/// <summary>One load of a version into its slot: memory reserved, files fetched from the registry, the engine's load
/// bounded by the load timeout and shutdown, the pipeline built and warmed up, then published as the slot's serving
/// instance; or the failure recorded on the slot with its retry time.</summary>
/// <remarks>Failure reasons reach clients (load errors, deployment status), so they never name server paths.</remarks>
internal sealed class VersionLoader(
    IModelRegistry registry,
    IReadOnlyDictionary<string, IModelEngine> engines,
    IPipelineBuilder pipelines,
    ServingOptions options,
    TimeProvider time,
    ServingMetrics metrics,
    ILogger logger,
    EvictionPolicy eviction,
    DeploymentUnloader unloader,
    CancellationToken shutdown)
{
    /// <summary>Loads <paramref name="deployment"/> into <paramref name="slot"/> (whose pending load it is);
    /// <paramref name="failures"/> is the count of failed loads before it, for the backoff.</summary>
    public async Task<Deployment> LoadAsync(VersionSlot slot, Deployment deployment, int failures)
    {
        var version = deployment.Version;
        var started = time.GetTimestamp();
        long reserved = 0;
        HostLog.Loading(logger, version.Key, version.Manifest.Engine);
        try
        {
            if (!engines.TryGetValue(version.Manifest.Engine, out var engine))
            {
                throw MaasException.Unavailable($"No engine named '{version.Manifest.Engine}' is installed.");
            }

            reserved = eviction.Reserve(slot, version.Key, version.Files.Sum(f => f.Size));
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in version.Files)
            {
                try
                {
                    files[file.Name] = await registry.GetArtifactPathAsync(file.Sha256, shutdown).ConfigureAwait(false);
                }
                catch (Maas.Registry.Artifacts.ArtifactIntegrityException e)
                {
                    // Refused by name (never a server path); this version goes to Failed, the others keep serving.
                    throw new MaasException(MaasErrorKind.Unavailable, $"{file.Name} of {version.Key} {e.Reason}", e);
                }
            }

            var context = new ModelLoadContext(version.Key, version.Manifest, files, deployment.Settings);
            var model = await LoadModelAsync(engine, context).ConfigureAwait(false);
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

            long memory;
            try
            {
                await WarmUp.RunAsync(pipeline, logger, version.Key).ConfigureAwait(false);
                eviction.Release(ref reserved);
                memory = pipeline.MemoryBytes;
                reserved = eviction.Reserve(slot, version.Key, memory);
            }
            catch
            {
                await pipeline.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            var elapsed = time.GetElapsedTime(started);
            deployment.MarkReady(pipeline, time.GetUtcNow(), elapsed, memory);
            Deployment? previous;
            lock (slot.Gate)
            {
                previous = slot.Serving;
                slot.Serving = deployment;
                slot.Loading = null;
                slot.Failure = null;
            }

            eviction.Release(ref reserved);
            metrics.Loaded(version.Model, version.Version, elapsed, memory);
            HostLog.Ready(logger, version.Key, elapsed.TotalMilliseconds, memory);
            if (previous is not null)
            {
                // A settings change: the new instance serves now, the old one finishes what it has.
                _ = unloader.UnloadAsync(previous, "settings");
            }

            return deployment;
        }
        catch (Exception ex)
        {
            eviction.Release(ref reserved);
            var reason = PathRedaction.Redact(ex switch
            {
                MaasException => ex.Message,
                OperationCanceledException when shutdown.IsCancellationRequested => "The server is shutting down.",
                _ => $"{ex.GetType().Name}: {ex.Message}",
            });
            deployment.MarkFailed(reason);
            var now = time.GetUtcNow();
            var failure = new LoadFailure(reason, now, deployment.Settings, failures + 1, now + options.RetryDelay(failures + 1));
            lock (slot.Gate)
            {
                slot.Loading = null;
                slot.Failure = failure;
            }

            metrics.LoadFailed(version.Model, version.Version, time.GetElapsedTime(started));
            HostLog.Failed(logger, version.Key, reason, failure.RetryAt);
            throw FailedError(slot.Key, failure);
        }
    }

    /// <summary>The error a request for a version whose load failed gets until the failure's retry time.</summary>
    public static MaasException FailedError(string key, LoadFailure failure) =>
        MaasException.Unavailable(string.Create(
            CultureInfo.InvariantCulture,
            $"Model {key} failed to load: {failure.Reason} (next try after {failure.RetryAt:yyyy-MM-dd'T'HH:mm:ss'Z'})"));

    /// <summary>The engine's load, bounded by the load timeout and shutdown; a model that arrives after either is disposed.</summary>
    private async Task<ILoadedModel> LoadModelAsync(IModelEngine engine, ModelLoadContext context)
    {
        using var timeout = new CancellationTokenSource(options.LoadTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, shutdown);
        var loading = engine.LoadAsync(context, linked.Token);
        try
        {
            return await loading.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = loading.ContinueWith(
                static t => t.Result.DisposeAsync().AsTask(),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
            if (timeout.IsCancellationRequested && !shutdown.IsCancellationRequested)
            {
                throw MaasException.Unavailable(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Loading took longer than the load timeout ({options.LoadTimeout}, Maas:Serving:LoadTimeout)."));
            }

            throw;
        }
    }
}
