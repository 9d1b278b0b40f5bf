using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving.Hosting;
using Maas.Serving.Pipelines;
using Maas.Serving.Routing;

namespace Maas.Serving;

internal sealed class InferenceService(ModelRouter router, ModelHost host) : IInferenceService
{
    private volatile bool _startupComplete;

    public bool StartupComplete => _startupComplete;

    internal void MarkStartupComplete() => _startupComplete = true;

    public Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default) =>
        router.ResolveAsync(reference, cancellationToken);

    public Task<Deployment> GetDeploymentAsync(ModelReference reference, CancellationToken cancellationToken = default) =>
        router.RouteAsync(reference, cancellationToken);

    public async Task<ModelState> GetStateAsync(ModelReference reference, CancellationToken cancellationToken = default)
    {
        var version = await router.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        return (host.Find(version.Key) ?? host.StartLoading(version)).State;
    }

    public async Task<T> RunAsync<T>(
        ModelReference reference,
        Func<ModelVersionInfo, IInferencePipeline, CancellationToken, ValueTask<T>> work,
        CancellationToken cancellationToken = default)
    {
        var deployment = await router.RouteAsync(reference, cancellationToken).ConfigureAwait(false);
        using var lease = await deployment.AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await work(deployment.Version, lease.Pipeline, cancellationToken).ConfigureAwait(false);
    }
}
