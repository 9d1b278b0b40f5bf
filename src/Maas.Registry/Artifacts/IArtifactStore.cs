namespace Maas.Registry.Artifacts;

/// <summary>Content-addressed, immutable blob storage for version files (a named plug-in: <c>folder</c>, later <c>s3</c>).</summary>
/// <remarks>
/// Writing is two-phase so the registry can decide, under its own lock, whether a blob is kept:
/// <see cref="StageAsync"/> copies and hashes the bytes into a private temporary place, then
/// <see cref="CommitAsync"/> publishes them under their digest (or drops them when those bytes are already stored).
/// A stored blob never changes; it is only ever deleted whole.
/// </remarks>
public interface IArtifactStore
{
    /// <summary>The name configuration selects this store by.</summary>
    string Name { get; }

    /// <summary>Where the blobs live, for the start-up log: a folder path (later a bucket URL).</summary>
    string Location { get; }

    /// <summary>Copies <paramref name="content"/> to a temporary place, computing its SHA-256 and size on the way.</summary>
    Task<StagedArtifact> StageAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Publishes a staged blob under its digest; false when those bytes were already stored (the copy is dropped).</summary>
    Task<bool> CommitAsync(StagedArtifact staged, CancellationToken cancellationToken = default);

    /// <summary>Drops a staged blob that will not be committed.</summary>
    Task DiscardAsync(StagedArtifact staged, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Deletes a stored blob; false when it was not there.</summary>
    Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Digests of every stored blob.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes everything left in the temporary place (uploads of a process that died); returns how many.</summary>
    /// <remarks>Only safe while nothing is staging, i.e. at start-up.</remarks>
    Task<int> ClearStagingAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes staging leftovers untouched since <paramref name="olderThan"/>; returns how many.</summary>
    /// <remarks>
    /// Safe while other processes stage into the same store (replicas sharing a folder): a live upload keeps writing,
    /// so only a dead process's files are that old. The default deletes nothing (a store whose staging is private to
    /// the process, e.g. a local temp folder per replica, has nothing shared to sweep).
    /// </remarks>
    Task<int> ClearStagingAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) => Task.FromResult(0);

    /// <summary>Reads a stored blob's bytes (as stored: a store that transforms bytes at rest gives them back plain).</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">NotFound when no blob has that digest.</exception>
    Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>
    /// The path of a stored blob when this store keeps its plain bytes in a local file engines may read directly
    /// (the folder store); <see langword="null"/> when the bytes must be fetched or transformed first (a bucket,
    /// encryption at rest). Callers never use this to load a model: <see cref="IArtifactCache"/> does, verifying the digest.
    /// </summary>
    string? LocalPathOf(string sha256);
}
