using Maas.Registry.Metadata;

namespace Maas.Registry.Artifacts;

/// <summary>Keeps blob garbage collection, on any replica, from deleting bytes an in-flight push has just published.</summary>
/// <remarks>
/// The pins are leases in the database (<c>blob_leases</c>: digest, holder, expiry), so every process sharing the
/// database sees them. A push leases each digest, in a committed write transaction, before it publishes the blob, and
/// its version's commit drops the leases in the same transaction that inserts the references. Deleting a blob happens
/// inside a write transaction (which holds the database's write lock) that first re-checks "no version references it
/// and nobody holds an unexpired lease". So either the collector sees the lease and keeps the blob, or it deletes the
/// blob before the lease commits, and the push then publishes its staged copy afresh. A push that dies leaves leases
/// that expire after <see cref="RegistryOptions.BlobLeaseDuration"/>; its blobs become collectable then.
/// </remarks>
internal sealed class ArtifactGate(IMetadataDatabase database, TimeProvider timeProvider, TimeSpan leaseDuration)
{
    /// <summary>A lease holder name unique to one push, readable in the table: host, process, random part.</summary>
    public static string NewHolder() => $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Leases the staged digest for <paramref name="holder"/>, then publishes it; returns true when the blob is new.</summary>
    public async Task<bool> LeaseAndCommitAsync(IArtifactStore store, StagedArtifact staged, string holder, CancellationToken cancellationToken)
    {
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await BlobLeaseSql.UpsertAsync(session, staged.Sha256, holder, timeProvider.GetUtcNow() + leaseDuration, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await store.CommitAsync(staged, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops <paramref name="holder"/>'s leases; with <paramref name="collect"/>, deletes the digests nothing references or leases.</summary>
    public async Task<int> ReleaseAsync(
        IArtifactStore store, string holder, IReadOnlyCollection<string> digests, bool collect, CancellationToken cancellationToken)
    {
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await BlobLeaseSql.ReleaseAsync(session, holder, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return collect ? await CollectAsync(store, digests, cancellationToken).ConfigureAwait(false) : 0;
    }

    /// <summary>Deletes the candidates that no version references and nobody leases; returns how many were deleted.</summary>
    /// <remarks>One short write transaction per blob, so pushes on other replicas wait at most one delete.</remarks>
    public async Task<int> CollectAsync(IArtifactStore store, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var digest in candidates.Distinct(StringComparer.Ordinal))
        {
            var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                if (await RegistryQueries.IsDigestReferencedAsync(session, digest, cancellationToken).ConfigureAwait(false)
                    || await BlobLeaseSql.IsLeasedAsync(session, digest, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                // Still holding the write lock: a push's lease on this digest cannot commit until the blob is gone.
                if (await store.DeleteAsync(digest, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }

                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return deleted;
    }

    /// <summary>Drops leases whose holders died without releasing them: the expired ones, or with
    /// <paramref name="expiredOnly"/> false every lease (at start-up, when no other process uses the database).</summary>
    public async Task<int> DeleteLeasesAsync(bool expiredOnly, CancellationToken cancellationToken)
    {
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var before = expiredOnly ? timeProvider.GetUtcNow() : DateTimeOffset.MaxValue;
            var count = await BlobLeaseSql.DeleteExpiredAsync(session, before, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }
    }
}
