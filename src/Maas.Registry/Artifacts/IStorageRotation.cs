namespace Maas.Registry.Artifacts;

/// <summary>Re-encrypts every stored blob with the active storage key (<c>maas keys rotate-storage</c>), and reports
/// which keys blobs use.</summary>
public interface IStorageRotation
{
    /// <summary>Throws when rotation cannot run here (encryption not configured, or a store that cannot rewrite blobs).</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">Conflict, with the reason.</exception>
    void EnsureAvailable();

    /// <summary>Rewrites each blob not yet under the active key: the new copy is written, flushed and read back against
    /// the digest before it atomically replaces the old one, so a crash at any point leaves every blob readable, and
    /// running it again finishes the job.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">Internal when some blobs could not be rewritten (after all others were).</exception>
    Task<StorageRotationResult> RotateAsync(IProgress<StorageRotationProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>How many blobs that versions reference the database records under each key ("" key: stored plain).</summary>
    Task<StorageKeyUsage> GetKeyUsageAsync(CancellationToken cancellationToken = default);
}

/// <summary>Blobs handled so far out of the total.</summary>
public sealed record StorageRotationProgress(int Done, int Total);

/// <summary>What a rotation did.</summary>
/// <param name="KeyId">The key every blob is under now.</param>
/// <param name="Total">Blobs found in the store.</param>
/// <param name="Rewritten">Blobs re-encrypted (from an old key, or from plain).</param>
/// <param name="AlreadyCurrent">Blobs already under the active key.</param>
/// <param name="Gone">Blobs deleted while the rotation ran.</param>
public sealed record StorageRotationResult(string KeyId, int Total, int Rewritten, int AlreadyCurrent, int Gone);

/// <summary>The active key and blob counts per key id ("" for plain blobs).</summary>
public sealed record StorageKeyUsage(string? ActiveKeyId, IReadOnlyDictionary<string, int> BlobsByKey);
