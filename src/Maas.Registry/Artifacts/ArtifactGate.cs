namespace Maas.Registry.Artifacts;

/// <summary>Keeps blob garbage collection from deleting bytes an in-flight push has just claimed.</summary>
/// <remarks>
/// A push pins each digest as it publishes it and unpins after its transaction ends. Deleting a blob
/// (after a version delete, a failed push, or recovery) happens under the same lock and skips pinned
/// digests, so "publish, then commit a version that references it" cannot interleave with "found
/// unreferenced, delete". This protects pushes within one process; several processes sharing one store
/// would need a grace period instead (a later concern for the PostgreSQL + S3 deployment).
/// </remarks>
internal sealed class ArtifactGate : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, int> _pins = new(StringComparer.Ordinal);

    /// <summary>Pins the staged digest and publishes it; returns true when the blob is new.</summary>
    public async Task<bool> PinAndCommitAsync(IArtifactStore store, StagedArtifact staged, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var created = await store.CommitAsync(staged, cancellationToken).ConfigureAwait(false);
            _pins[staged.Sha256] = _pins.GetValueOrDefault(staged.Sha256) + 1;
            return created;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Unpins digests; with <paramref name="collect"/>, deletes those that no version references and nobody pins.</summary>
    public async Task<int> UnpinAsync(
        IArtifactStore store,
        IReadOnlyCollection<string> digests,
        bool collect,
        Func<string, CancellationToken, Task<bool>> isReferenced,
        CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var digest in digests)
            {
                var count = _pins.GetValueOrDefault(digest) - 1;
                if (count > 0)
                {
                    _pins[digest] = count;
                }
                else
                {
                    _pins.Remove(digest);
                }
            }

            return collect ? await CollectLockedAsync(store, digests, isReferenced, cancellationToken).ConfigureAwait(false) : 0;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Deletes the candidates that no version references and nobody pins; returns how many were deleted.</summary>
    public async Task<int> CollectAsync(
        IArtifactStore store,
        IReadOnlyCollection<string> candidates,
        Func<string, CancellationToken, Task<bool>> isReferenced,
        CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CollectLockedAsync(store, candidates, isReferenced, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();

    private async Task<int> CollectLockedAsync(
        IArtifactStore store,
        IReadOnlyCollection<string> candidates,
        Func<string, CancellationToken, Task<bool>> isReferenced,
        CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var digest in candidates.Distinct(StringComparer.Ordinal))
        {
            if (_pins.ContainsKey(digest) || await isReferenced(digest, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (await store.DeleteAsync(digest, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }
}
