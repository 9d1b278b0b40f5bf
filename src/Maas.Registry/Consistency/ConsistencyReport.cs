namespace Maas.Registry.Consistency;

/// <summary>What a consistency check found between the metadata store and the artifact store.</summary>
/// <param name="MissingBlobs">Files of versions whose blob is gone: data loss, never repaired automatically.</param>
/// <param name="UnreferencedBlobs">Blobs no version references (left by a crash or a failed cleanup).</param>
/// <param name="DeletedBlobs">How many unreferenced blobs a repairing check deleted.</param>
/// <param name="DeletedTempFiles">How many leftover temporary files start-up recovery deleted.</param>
internal sealed record ConsistencyReport(
    IReadOnlyList<MissingBlob> MissingBlobs,
    IReadOnlyList<string> UnreferencedBlobs,
    int DeletedBlobs,
    int DeletedTempFiles)
{
    public bool IsConsistent => MissingBlobs.Count == 0 && UnreferencedBlobs.Count == 0;
}
