using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving.Hosting;
using Maas.Serving.Pipelines;

namespace Maas.Serving;

/// <summary>What protocols call: find a model by reference and run work on its pipeline under a lease.</summary>
public interface IInferenceService
{
    /// <summary>Refuses at once (429) when <paramref name="version"/>'s loaded instance already has a full queue, so an
    /// overloaded model is not made to read and parse a body it would refuse anyway; otherwise does nothing (the
    /// queue's own admission still decides).</summary>
    void ThrowIfQueueFull(ModelVersionInfo version);

    /// <summary>Resolves a reference to its version without loading it.</summary>
    Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default);

    /// <summary>The deployment of a reference, loading and warming it first if needed (bounded wait).</summary>
    Task<Deployment> GetDeploymentAsync(ModelReference reference, CancellationToken cancellationToken = default);

    /// <summary>The state of a reference's version, starting a load if none has started; never waits for it.</summary>
    Task<ModelState> GetStateAsync(ModelReference reference, CancellationToken cancellationToken = default);

    /// <summary>Every version loaded, loading, failed or draining, with its state, settings, load and last error
    /// (<c>GET /api/deployments</c>); only <paramref name="model"/>'s when given.</summary>
    IReadOnlyList<DeploymentStatus> GetDeployments(string? model = null);

    /// <summary>The settings a model's versions load with: the server defaults with <paramref name="overrides"/> applied.</summary>
    Maas.Core.Engines.DeploymentSettings EffectiveSettings(Maas.Core.Engines.DeploymentOverrides overrides);

    /// <summary>Runs <paramref name="work"/> on the reference's pipeline under a lease (the pipeline queues and batches).</summary>
    Task<T> RunAsync<T>(
        ModelReference reference,
        Func<ModelVersionInfo, IInferencePipeline, CancellationToken, ValueTask<T>> work,
        CancellationToken cancellationToken = default);

    /// <summary>The instance serving <paramref name="version"/> right now, if one is ready; never loads.</summary>
    Deployment? FindServing(ModelVersionInfo version);

    /// <summary>Explicit load (repository extension): the model's default version (production alias, else latest)
    /// loads, ignoring the backoff of an earlier failure, and the call waits until it is ready (503 with the reason
    /// when its load fails). Ends an explicit unload.</summary>
    Task<Deployment> LoadModelAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>Explicit unload (repository extension): every loaded version of the model drains and unloads, and the
    /// model stays unloaded until <see cref="LoadModelAsync"/> or an inference request asks for it (404 for an unknown model).</summary>
    Task UnloadModelAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>True while the model is explicitly unloaded.</summary>
    bool IsUnloaded(string model);

    /// <summary>True once the start-up preload of every model's default version has finished (each loaded or failed).</summary>
    bool StartupComplete { get; }
}
