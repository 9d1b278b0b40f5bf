namespace Maas.Registry.Artifacts;

/// <summary>Gives engines a local, plain, digest-verified file for a stored blob, whatever the store is.</summary>
/// <remarks>
/// For a store that keeps plain local files (the folder store) the path is the store's own file; otherwise the
/// bytes are fetched (and decrypted) into this replica's cache folder. The SHA-256 digest is checked every time a
/// path is handed out for loading; a mismatch is refused with an error naming the digest, never a server path.
/// </remarks>
public interface IArtifactCache
{
    /// <summary>A local path holding exactly the bytes of <paramref name="sha256"/>.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">
    /// NotFound when the store has no such blob; Internal (<see cref="ArtifactIntegrityException"/>) when the bytes do
    /// not match their digest.
    /// </exception>
    Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken = default);
}
