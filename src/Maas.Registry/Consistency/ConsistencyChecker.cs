using Maas.Registry.Artifacts;
using Maas.Registry.Metadata;

namespace Maas.Registry.Consistency;

/// <summary>Compares what versions reference with what the artifact store holds, and removes what nothing references.</summary>
/// <remarks>
/// Versions whose blobs are missing are only reported: deleting the version would hide data loss that an operator
/// should see. The check runs concurrently with pushes and deletes, so a "missing" entry can be a false alarm for a
/// version that was being deleted at that moment; unreferenced blobs are re-checked under the artifact gate (references and
/// database leases, inside a write transaction) before deletion, so repairs never remove a blob a committed or
/// in-flight version needs, whichever replica runs them.
/// </remarks>
internal sealed class ConsistencyChecker(IMetadataDatabase database, IArtifactStore store, ArtifactGate gate)
{
    /// <param name="repair">Delete unreferenced blobs.</param>
    /// <param name="clearStaging">Also empty the store's temporary place; only safe before any push has started.</param>
    /// <param name="staleStagingBefore">Instead of emptying it, delete only staging leftovers untouched since then (a
    /// store shared with other replicas, whose uploads may be in flight).</param>
    /// <param name="cancellationToken">Stops the check between steps.</param>
    public async Task<ConsistencyReport> CheckAsync(bool repair, bool clearStaging, DateTimeOffset? staleStagingBefore, CancellationToken cancellationToken)
    {
        var deletedTemp = clearStaging ? await store.ClearStagingAsync(cancellationToken).ConfigureAwait(false)
            : staleStagingBefore is { } before ? await store.ClearStagingAsync(before, cancellationToken).ConfigureAwait(false)
            : 0;

        List<FileRow> files;
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            files = await RegistryQueries.AllFilesAsync(session, cancellationToken).ConfigureAwait(false);
        }

        var stored = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var referenced = files.Select(f => f.File.Sha256).ToHashSet(StringComparer.Ordinal);
        var missing = files
            .Where(f => !stored.Contains(f.File.Sha256))
            .Select(f => new MissingBlob(f.Model, f.Version, f.File.Name, f.File.Sha256))
            .ToList();
        var unreferenced = stored.Where(d => !referenced.Contains(d)).Order(StringComparer.Ordinal).ToList();

        var deleted = repair && unreferenced.Count > 0
            ? await gate.CollectAsync(store, unreferenced, cancellationToken).ConfigureAwait(false)
            : 0;
        return new ConsistencyReport(missing, unreferenced, deleted, deletedTemp);
    }
}
