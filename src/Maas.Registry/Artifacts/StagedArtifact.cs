namespace Maas.Registry.Artifacts;

/// <summary>Bytes copied to an artifact store's temporary place, not yet published.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="StagingId">The store's own handle for the temporary copy.</param>
public sealed record StagedArtifact(string Sha256, long Size, string StagingId);
