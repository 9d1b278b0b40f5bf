namespace Maas.Registry.Artifacts;

/// <summary>Implemented by stores that can rewrite a blob's at-rest form in place (storage key rotation).</summary>
/// <remarks>The bytes a digest names never change; only how they are kept (plain, or encrypted with which key) does.</remarks>
public interface IArtifactReplacer
{
    /// <summary>Checks that the staged copy reads back (through the store's codec) as exactly
    /// <see cref="StagedArtifact.Sha256"/>, then atomically puts it in place of the stored blob. False (and the copy
    /// dropped) when the blob is no longer stored, e.g. deleted meanwhile.</summary>
    /// <exception cref="ArtifactIntegrityException">The staged copy does not read back as its digest (nothing replaced).</exception>
    Task<bool> ReplaceAsync(StagedArtifact staged, CancellationToken cancellationToken = default);
}
