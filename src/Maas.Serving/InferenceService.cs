using System.Diagnostics;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving.Hosting;
using Maas.Serving.Pipelines;
using Maas.Serving.Routing;
using Maas.Serving.Tracing;
using Microsoft.Extensions.Options;

namespace Maas.Serving;

internal sealed class InferenceService(ModelRouter router, ModelHost host, IOptions<ServingOptions> options, Metrics.ServingMetrics metrics) : IInferenceService
{
    private volatile bool _startupComplete;

    public bool StartupComplete => _startupComplete;

    internal void MarkStartupComplete() => _startupComplete = true;

    public void ThrowIfQueueFull(ModelVersionInfo version)
    {
        // Waiting > 0 leaves a queue of length 0 (only idle workers take requests) to the queue's own admission.
        if (host.FindServing(version.Key) is { } deployment && deployment.Waiting is > 0 and var waiting
            && waiting >= deployment.Settings.MaxQueue)
        {
            metrics.Rejected(version.Model, version.Version, "queue_full");
            throw new MaasException(MaasErrorKind.TooManyRequests, $"The queue of {version.Key} is full ({deployment.Settings.MaxQueue} waiting); retry later.");
        }
    }

    public Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default) =>
        router.ResolveAsync(reference, cancellationToken);

    public Task<Deployment> GetDeploymentAsync(ModelReference reference, CancellationToken cancellationToken = default) =>
        router.RouteAsync(reference, cancellationToken);

    public async Task<ModelState> GetStateAsync(ModelReference reference, CancellationToken cancellationToken = default)
    {
        var version = await router.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        return await host.StartLoadingAsync(version, cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyList<DeploymentStatus> GetDeployments(string? model = null) => host.Status(model);

    public Deployment? FindServing(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return host.FindServing(version.Key);
    }

    public async Task<Deployment> LoadModelAsync(string model, CancellationToken cancellationToken = default)
    {
        var version = await router.ResolveAsync(new ModelReference(model), cancellationToken).ConfigureAwait(false);
        return await host.LoadExplicitlyAsync(version).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UnloadModelAsync(string model, CancellationToken cancellationToken = default)
    {
        // NotFound for a model the registry does not have.
        await host.GetConfigAsync(model, cancellationToken).ConfigureAwait(false);
        await host.UnloadModelAsync(model).ConfigureAwait(false);
    }

    public bool IsUnloaded(string model) => host.IsUnloaded(model);

    public DeploymentSettings EffectiveSettings(DeploymentOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return overrides.ApplyTo(options.Value.Defaults);
    }

    public Task<T> RunAsync<T>(
        ModelReference reference,
        Func<ModelVersionInfo, IInferencePipeline, CancellationToken, ValueTask<T>> work,
        CancellationToken cancellationToken = default)
    {
        // Untraced (no listener: StartRequest returns null), the call costs nothing beyond the routing itself.
        var activity = ServingActivities.StartRequest(reference);
        return activity is null
            ? RunOnRouteAsync(reference, work, null, cancellationToken)
            : RunTracedAsync(reference, work, activity, cancellationToken);
    }

    private async Task<T> RunTracedAsync<T>(
        ModelReference reference,
        Func<ModelVersionInfo, IInferencePipeline, CancellationToken, ValueTask<T>> work,
        Activity activity,
        CancellationToken cancellationToken)
    {
        using (activity)
        {
            try
            {
                return await RunOnRouteAsync(reference, work, activity, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ServingActivities.Fail(activity, ex);
                throw;
            }
        }
    }

    private async Task<T> RunOnRouteAsync<T>(
        ModelReference reference,
        Func<ModelVersionInfo, IInferencePipeline, CancellationToken, ValueTask<T>> work,
        Activity? activity,
        CancellationToken cancellationToken)
    {
        // A route can move between finding a deployment and entering it (alias moved, old instance draining after a
        // swap, idle unload): then route again rather than fail the request. Three tries cover any realistic run of moves.
        for (var attempt = 0; ; attempt++)
        {
            Deployment deployment;
            using (ServingActivities.Source.StartActivity(ServingActivities.Route, ActivityKind.Internal))
            {
                deployment = await router.RouteAsync(reference, cancellationToken).ConfigureAwait(false);
            }

            if (deployment.TryAcquire() is { } lease)
            {
                using (lease)
                {
                    activity?.SetTag("maas.model", deployment.Version.Model);
                    activity?.SetTag("maas.model.version", deployment.Version.Version);
                    return await work(deployment.Version, lease.Pipeline, cancellationToken).ConfigureAwait(false);
                }
            }

            if (attempt == 2)
            {
                throw MaasException.Unavailable($"Model {deployment.Version.Key} is being unloaded; retry.");
            }

            await Task.Yield();
        }
    }
}
