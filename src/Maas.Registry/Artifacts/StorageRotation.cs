using Maas.Core.Errors;
using Maas.Registry.Artifacts.Encryption;
using Maas.Registry.Metadata;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts;

/// <summary>Re-encrypts stored blobs with the active storage key, one at a time, each crash-safe on its own.</summary>
/// <remarks>
/// Per blob: read it through the codec (the key its header names; plain blobs pass through), stage the plain bytes
/// under the active key (hashed, flushed), check the digest, let the store read the new copy back against the digest
/// and rename it over the old one, then record the key. A crash leaves either the old or the new copy in place (and a
/// staged file that start-up recovery removes); the header, not the table, says which key a blob needs, so a second
/// run simply finishes. Concurrent reads keep working: a reader holds the old file or opens the new one.
/// </remarks>
internal sealed class StorageRotation(
    ModelRegistry registry,
    IArtifactCodec codec,
    IMetadataDatabase database,
    TimeProvider timeProvider,
    ILogger<StorageRotation> logger) : IStorageRotation
{
    private const int MaxListedFailures = 5;

    public void EnsureAvailable()
    {
        if (codec.IsIdentity || codec.KeyId is null)
        {
            throw MaasException.Conflict(
                "Encryption at rest is not configured (Maas:Registry:Encryption:Keys or KeyFile): there is no storage key to rotate to.");
        }

        if (registry.Store is not IArtifactReplacer)
        {
            throw MaasException.Conflict($"The '{registry.Store.Name}' artifact store cannot rewrite blobs in place, so it cannot rotate storage keys.");
        }
    }

    public async Task<StorageRotationResult> RotateAsync(IProgress<StorageRotationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        EnsureAvailable();
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var store = registry.Store;
        var replacer = (IArtifactReplacer)store;
        var active = codec.KeyId!;
        var digests = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var failures = new List<string>();
        int rewritten = 0, current = 0, gone = 0, done = 0;
        progress?.Report(new StorageRotationProgress(0, digests.Count));
        foreach (var digest in digests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                switch (await RotateOneAsync(store, replacer, digest, active, cancellationToken).ConfigureAwait(false))
                {
                    case Outcome.Rewritten:
                        rewritten++;
                        break;
                    case Outcome.Current:
                        current++;
                        break;
                    default:
                        gone++;
                        break;
                }
            }
            catch (ArtifactIntegrityException e)
            {
                ArtifactsLog.RotationFailed(logger, digest, e.Reason);
                failures.Add($"sha256:{digest} {e.Reason}");
            }

            progress?.Report(new StorageRotationProgress(++done, digests.Count));
        }

        await PruneAsync(digests, cancellationToken).ConfigureAwait(false);
        ArtifactsLog.Rotated(logger, active, rewritten, current, gone, digests.Count);
        if (failures.Count > 0)
        {
            throw new MaasException(
                MaasErrorKind.Internal,
                $"{failures.Count} of {digests.Count} blob(s) could not be re-encrypted (the others were): "
                + string.Join("; ", failures.Take(MaxListedFailures)) + (failures.Count > MaxListedFailures ? "; ..." : string.Empty));
        }

        return new StorageRotationResult(active, digests.Count, rewritten, current, gone);
    }

    public async Task<StorageKeyUsage> GetKeyUsageAsync(CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var rows = await BlobKeys.ReferencedAsync(session, cancellationToken).ConfigureAwait(false);
            var counts = rows.GroupBy(r => r.KeyId ?? string.Empty, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            return new StorageKeyUsage(codec.IsIdentity ? null : codec.KeyId, counts);
        }
    }

    private async Task<Outcome> RotateOneAsync(IArtifactStore store, IArtifactReplacer replacer, string digest, string active, CancellationToken cancellationToken)
    {
        Stream source;
        try
        {
            source = await store.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false);
        }
        catch (MaasException e) when (e.Kind == MaasErrorKind.NotFound)
        {
            await RecordAsync(digest, null, delete: true, cancellationToken).ConfigureAwait(false);
            return Outcome.Gone;
        }

        await using (source.ConfigureAwait(false))
        {
            try
            {
                var keyId = source is IStoredKeyInfo info ? await info.ReadKeyIdAsync(cancellationToken).ConfigureAwait(false) : null;
                if (keyId == active)
                {
                    await RecordAsync(digest, active, delete: false, cancellationToken).ConfigureAwait(false);
                    return Outcome.Current;
                }

                var staged = await store.StageAsync(source, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(staged.Sha256, digest, StringComparison.Ordinal))
                {
                    await store.DiscardAsync(staged, CancellationToken.None).ConfigureAwait(false);
                    throw new ArtifactIntegrityException(digest, staged.Sha256);
                }

                if (!await replacer.ReplaceAsync(staged, cancellationToken).ConfigureAwait(false))
                {
                    await RecordAsync(digest, null, delete: true, cancellationToken).ConfigureAwait(false);
                    return Outcome.Gone;
                }
            }
            catch (InvalidDataException e)
            {
                throw ArtifactIntegrityException.Unreadable(digest, e);
            }
        }

        await RecordAsync(digest, active, delete: false, cancellationToken).ConfigureAwait(false);
        return Outcome.Rewritten;
    }

    /// <summary>Drops rows of blobs no longer stored (deleted by garbage collection since they were recorded).</summary>
    private async Task PruneAsync(IReadOnlyList<string> stored, CancellationToken cancellationToken)
    {
        var present = stored.ToHashSet(StringComparer.Ordinal);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            foreach (var (sha256, _) in await BlobKeys.AllAsync(session, cancellationToken).ConfigureAwait(false))
            {
                if (!present.Contains(sha256) && !await registry.Store.ExistsAsync(sha256, cancellationToken).ConfigureAwait(false))
                {
                    await BlobKeys.DeleteAsync(session, sha256, cancellationToken).ConfigureAwait(false);
                }
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RecordAsync(string digest, string? keyId, bool delete, CancellationToken cancellationToken)
    {
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (delete)
            {
                await BlobKeys.DeleteAsync(session, digest, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await BlobKeys.SetAsync(session, digest, keyId, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private enum Outcome
    {
        Rewritten,
        Current,
        Gone,
    }
}
