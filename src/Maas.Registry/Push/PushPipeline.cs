using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Registry.Artifacts;
using Maas.Registry.Changes;
using Maas.Registry.Metadata;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Push;

/// <summary>One push from request to committed version: stage and lease each file, complete the manifest (and an
/// adapter's base), then commit the version, its files, alias, change and audit record in one transaction.</summary>
/// <remarks>
/// The files' leases keep the blobs from being collected until the version's file rows reference them; they are
/// released in the commit itself, or on failure (which deletes the blobs nothing else references).
/// </remarks>
internal sealed class PushPipeline(
    IMetadataDatabase database,
    IArtifactStore store,
    ArtifactGate gate,
    ArtifactCache cache,
    ManifestDetector detector,
    IArtifactCodec codec,
    RegistryJournal journal,
    TimeProvider time,
    ILogger logger,
    Func<ModelReference, CancellationToken, Task<ModelVersionInfo>> resolve)
{
    /// <summary>Pushes a validated request into an initialized registry; logs the outcome either way.</summary>
    public async Task<ModelVersionInfo> PushAsync(PushRequest request, CancellationToken cancellationToken)
    {
        var holder = ArtifactGate.NewHolder();
        var pinned = new List<string>(request.Files.Count);
        var files = new List<ArtifactFile>(request.Files.Count);
        var newBlobs = 0;
        ModelVersionInfo info;
        try
        {
            foreach (var file in request.Files)
            {
                var staged = await store.StageAsync(file.Content, cancellationToken).ConfigureAwait(false);
                try
                {
                    newBlobs += await gate.LeaseAndCommitAsync(store, staged, holder, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                }
                catch
                {
                    await store.DiscardAsync(staged, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }

                pinned.Add(staged.Sha256);
                files.Add(new ArtifactFile(file.Name, staged.Size, staged.Sha256));
            }

            files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var localPaths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                localPaths[file.Sha256] = await cache.GetLocalPathAsync(file.Sha256, cancellationToken).ConfigureAwait(false);
            }

            var manifest = detector.Complete(request.Manifest, files, sha256 => localPaths[sha256]);
            if (AdapterPush.ReadAdapter(manifest, files, sha256 => localPaths[sha256]) is { } adapter)
            {
                (manifest, files, request) = await AdapterPush.CompleteAsync(request, manifest, files, adapter, resolve, cache.GetLocalPathAsync, cancellationToken)
                    .ConfigureAwait(false);
            }

            info = await CommitAsync(request, manifest, files, holder, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var deleted = await ReleaseAsync(request.Model, holder, pinned).ConfigureAwait(false);
            switch (e)
            {
                case MaasException { Kind: not MaasErrorKind.Internal } refused:
                    RegistryLog.PushRefused(logger, request.Model, refused.Message, deleted);
                    break;
                case OperationCanceledException when cancellationToken.IsCancellationRequested:
                    RegistryLog.PushCancelled(logger, request.Model, deleted);
                    break;
                default:
                    RegistryLog.PushRolledBack(logger, e, request.Model, deleted);
                    break;
            }

            throw;
        }

        RegistryLog.Pushed(logger, info.Model, info.Version, files.Count, newBlobs, request.Actor);
        return info;
    }

    private async Task<ModelVersionInfo> CommitAsync(
        PushRequest request,
        ModelManifest manifest,
        List<ArtifactFile> files,
        string leaseHolder,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tagsJson = request.Tags is null ? null : RegistryJson.SerializeMap(request.Tags);
        int number;
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryQueries.FindModelAsync(session, request.Model, cancellationToken).ConfigureAwait(false);
            long modelId;
            if (model is null)
            {
                modelId = await RegistryCommands.InsertModelAsync(session, request.Model, request.Description, tagsJson ?? "{}", now, cancellationToken)
                    .ConfigureAwait(false);
            }
            else
            {
                modelId = model.Id;
                if (request.Description is not null || tagsJson is not null)
                {
                    await RegistryCommands.UpdateModelAsync(session, modelId, request.Description, tagsJson, cancellationToken).ConfigureAwait(false);
                }
            }

            // Safe only because the write transaction already holds the lock (see ISqlDialect.BeginWriteTransactionAsync).
            number = await RegistryCommands.NextVersionNumberAsync(session, modelId, cancellationToken).ConfigureAwait(false);
            await RequireParentsAsync(session, request.Lineage, cancellationToken).ConfigureAwait(false);
            var versionId = await RegistryCommands.InsertVersionAsync(
                session, modelId, number, RegistryJson.SerializeManifest(manifest), now, request.Actor, request.Lineage,
                RegistryJson.SerializeReport(request.Report), cancellationToken).ConfigureAwait(false);
            foreach (var file in files)
            {
                await RegistryCommands.InsertFileAsync(session, versionId, file, cancellationToken).ConfigureAwait(false);
            }

            await BlobKeys.RecordAsync(session, files.Select(f => f.Sha256), codec.KeyId, now, cancellationToken).ConfigureAwait(false);

            if (request.Alias is not null)
            {
                await RegistryCommands.UpsertAliasAsync(session, modelId, request.Alias, versionId, cancellationToken).ConfigureAwait(false);
            }

            // The version's file rows take over from the push's leases in the same commit: no moment without either.
            await BlobLeaseSql.ReleaseAsync(session, leaseHolder, cancellationToken).ConfigureAwait(false);

            await journal.RecordChangeAsync(session, RegistryChangeKinds.VersionPushed, request.Model, number, request.Alias, cancellationToken).ConfigureAwait(false);
            var detail = $"{files.Count} file(s), task {manifest.Task}" + (request.Alias is null ? string.Empty : $", alias {request.Alias}")
                + (request.Lineage is { } l ? $", from {string.Join(", ", l.Parents.Select(p => $"{p.Model}:{p.Version}"))} by {l.Transform}" : string.Empty);
            await journal.AuditAsync(session, request.Actor, RegistryActions.Push, request.Model, number, detail, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return new ModelVersionInfo(request.Model, number, manifest, files, request.Lineage, now, request.Actor) { Report = request.Report };
    }

    /// <summary>Every lineage parent must be a stored version (checked inside the push's transaction, so it cannot be
    /// deleted between the check and the commit).</summary>
    private static async Task RequireParentsAsync(DbSession session, Lineage? lineage, CancellationToken cancellationToken)
    {
        foreach (var parent in lineage?.Parents ?? [])
        {
            var model = await RegistryQueries.FindModelAsync(session, parent.Model, cancellationToken).ConfigureAwait(false);
            if (model is null || await RegistryQueries.FindVersionAsync(session, model.Id, parent.Version, cancellationToken).ConfigureAwait(false) is null)
            {
                throw MaasException.InvalidArgument($"Lineage parent {parent.Model}:{parent.Version} does not exist.");
            }
        }
    }

    /// <summary>Cleanup after the outcome is decided; it must not replace the caller's result or exception, so it only logs.</summary>
    private async Task<int> ReleaseAsync(string model, string holder, List<string> digests)
    {
        try
        {
            return await gate.ReleaseAsync(store, holder, digests, collect: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            RegistryLog.CollectFailed(logger, e, model);
            return 0;
        }
    }
}
