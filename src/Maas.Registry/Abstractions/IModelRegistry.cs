using Maas.Core.Models;

namespace Maas.Registry.Abstractions;

/// <summary>The model registry: models, immutable numbered versions, aliases, lineage and an audit trail.</summary>
/// <remarks>
/// Every change takes an <c>actor</c> (who) and writes one audit record in the same transaction.
/// Errors are <see cref="Maas.Core.Errors.MaasException"/>: NotFound, Conflict, InvalidArgument.
/// </remarks>
public interface IModelRegistry
{
    /// <summary>Raised after a committed change to a model (push, alias, delete, deployment settings), with the model's name.</summary>
    /// <remarks>In-process only; a replica sharing a database with others also re-reads periodically.</remarks>
    event EventHandler<ModelChangedEventArgs>? ModelChanged;

    /// <summary>Stores the files content-addressed and commits a new version (number = previous max + 1).</summary>
    /// <remarks>
    /// Atomic: files go to a temporary place, are flushed, hashed and moved into the store, and only then is the
    /// version committed. A push that fails or is killed half-way leaves no version and no referenced file missing.
    /// The manifest is completed from the model file (signature, task, processing) where the request leaves it out.
    /// </remarks>
    Task<ModelVersionInfo> PushAsync(PushRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>A model with all its versions and aliases, or null.</summary>
    Task<ModelDetails?> GetModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Resolves a reference to a version: explicit version, else alias, else <c>production</c>, else latest.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">NotFound when the model, version or alias does not exist.</exception>
    Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default);

    /// <summary>Every model's default version (what <see cref="ResolveAsync"/> gives for the bare name: the
    /// <c>production</c> alias, else the latest), keyed by model name; models without versions are absent.</summary>
    /// <remarks>A fixed number of reads however many models there are, for listings that need each model's manifest or
    /// lineage (one <see cref="ResolveAsync"/> per model would be several reads each).</remarks>
    Task<IReadOnlyDictionary<string, ModelVersionInfo>> ResolveDefaultsAsync(CancellationToken cancellationToken = default);

    /// <summary>Points an alias at a version, creating or moving it.</summary>
    Task SetAliasAsync(string name, string alias, int version, string actor, CancellationToken cancellationToken = default);

    Task RemoveAliasAsync(string name, string alias, string actor, CancellationToken cancellationToken = default);

    /// <summary>Updates a model's description and tags (null leaves a field unchanged).</summary>
    Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, string actor, CancellationToken cancellationToken = default);

    /// <summary>Deletes a version; refused with Conflict while an alias points at it unless <paramref name="force"/>
    /// (which removes those aliases too). Files no other version uses are removed from the artifact store.</summary>
    Task DeleteVersionAsync(string name, int version, bool force, string actor, CancellationToken cancellationToken = default);

    /// <summary>The model's deployment overrides (how its versions run: instances, threads, batching, queue, timeout,
    /// preload, keep-alive); empty overrides when none were ever stored.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">NotFound when the model does not exist.</exception>
    Task<ModelDeployment> GetDeploymentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Replaces the model's deployment overrides (validated: InvalidArgument when out of range); audited and
    /// announced through <see cref="ModelChanged"/> like every other change.</summary>
    /// <remarks>Settings belong to the model, not to a version: deleting versions (even the last) keeps them.</remarks>
    Task<ModelDeployment> SetDeploymentAsync(string name, Maas.Core.Engines.DeploymentOverrides overrides, string actor, CancellationToken cancellationToken = default);

    /// <summary>The model's versions with their parents, and those parents' parents across models, for a lineage tree.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">NotFound when the model does not exist.</exception>
    Task<LineageGraph> GetLineageAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Audit records, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? model, int limit, CancellationToken cancellationToken = default);

    /// <summary>A local, plain file holding a stored artifact, its SHA-256 verified now (see <c>IArtifactCache</c>).</summary>
    /// <exception cref="Maas.Registry.Artifacts.ArtifactIntegrityException">The stored bytes do not match the digest.</exception>
    Task<string> GetArtifactPathAsync(string sha256, CancellationToken cancellationToken = default);
}
