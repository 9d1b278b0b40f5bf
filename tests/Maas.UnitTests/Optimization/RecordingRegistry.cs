using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Registry.Abstractions;

namespace Maas.UnitTests.Optimization;

/// <summary>The real registry, recording each push request, so tests see the lineage and report a handler sent
/// whatever the store keeps of them.</summary>
internal sealed class RecordingRegistry(IModelRegistry inner) : IModelRegistry
{
    public event EventHandler<ModelChangedEventArgs>? ModelChanged
    {
        add => inner.ModelChanged += value;
        remove => inner.ModelChanged -= value;
    }

    public List<PushRequest> Pushes { get; } = [];

    public async Task<ModelVersionInfo> PushAsync(PushRequest request, CancellationToken cancellationToken = default)
    {
        var version = await inner.PushAsync(request, cancellationToken);
        lock (Pushes)
        {
            Pushes.Add(request);
        }

        return version;
    }

    public Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken = default) => inner.ListModelsAsync(cancellationToken);

    public Task<ModelDetails?> GetModelAsync(string name, CancellationToken cancellationToken = default) => inner.GetModelAsync(name, cancellationToken);

    public Task<LineageGraph> GetLineageAsync(string name, CancellationToken cancellationToken = default) => inner.GetLineageAsync(name, cancellationToken);

    public Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default) => inner.ResolveAsync(reference, cancellationToken);

    public Task<IReadOnlyDictionary<string, ModelVersionInfo>> ResolveDefaultsAsync(CancellationToken cancellationToken = default) => inner.ResolveDefaultsAsync(cancellationToken);

    public Task SetAliasAsync(string name, string alias, int version, string actor, CancellationToken cancellationToken = default) => inner.SetAliasAsync(name, alias, version, actor, cancellationToken);

    public Task RemoveAliasAsync(string name, string alias, string actor, CancellationToken cancellationToken = default) => inner.RemoveAliasAsync(name, alias, actor, cancellationToken);

    public Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, string actor, CancellationToken cancellationToken = default) =>
        inner.UpdateModelAsync(name, description, tags, actor, cancellationToken);

    public Task DeleteVersionAsync(string name, int version, bool force, string actor, CancellationToken cancellationToken = default) =>
        inner.DeleteVersionAsync(name, version, force, actor, cancellationToken);

    public Task<ModelDeployment> GetDeploymentAsync(string name, CancellationToken cancellationToken = default) => inner.GetDeploymentAsync(name, cancellationToken);

    public Task<ModelDeployment> SetDeploymentAsync(string name, DeploymentOverrides overrides, string actor, CancellationToken cancellationToken = default) =>
        inner.SetDeploymentAsync(name, overrides, actor, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? model, int limit, CancellationToken cancellationToken = default) => inner.ReadAuditAsync(model, limit, cancellationToken);

    public Task<string> GetArtifactPathAsync(string sha256, CancellationToken cancellationToken = default) => inner.GetArtifactPathAsync(sha256, cancellationToken);
}
