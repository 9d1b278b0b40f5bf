using Maas.Registry.Metadata;

namespace Maas.Registry.Artifacts;

/// <summary>The <c>blob_keys</c> table: which storage key each blob is encrypted with (NULL: stored plain).</summary>
/// <remarks>
/// Written in the push's transaction for the blobs it references (a blob already recorded keeps its row: its bytes at
/// rest did not change) and by storage rotation after each blob is replaced. The blob's own header stays the truth a
/// reader goes by; this table answers "which keys are still in use" without reading every blob.
/// </remarks>
internal static class BlobKeys
{
    public static async Task RecordAsync(DbSession session, IEnumerable<string> digests, string? keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var digest in digests.Distinct(StringComparer.Ordinal))
        {
            await session.ExecuteAsync(
                "INSERT INTO blob_keys (sha256, key_id, updated_at) VALUES (@sha256, @key, @at) ON CONFLICT (sha256) DO NOTHING",
                cancellationToken,
                ("@sha256", digest),
                ("@key", keyId),
                ("@at", DbValues.Timestamp(now))).ConfigureAwait(false);
        }
    }

    public static Task SetAsync(DbSession session, string digest, string? keyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            """
            INSERT INTO blob_keys (sha256, key_id, updated_at) VALUES (@sha256, @key, @at)
            ON CONFLICT (sha256) DO UPDATE SET key_id = excluded.key_id, updated_at = excluded.updated_at
            """,
            cancellationToken,
            ("@sha256", digest),
            ("@key", keyId),
            ("@at", DbValues.Timestamp(now)));

    public static Task<List<(string Sha256, string? KeyId)>> AllAsync(DbSession session, CancellationToken cancellationToken) =>
        session.QueryAsync(
            "SELECT sha256, key_id FROM blob_keys",
            r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)),
            cancellationToken);

    /// <summary>Rows of blobs some version references: the keys loading still needs.</summary>
    public static Task<List<(string Sha256, string? KeyId)>> ReferencedAsync(DbSession session, CancellationToken cancellationToken) =>
        session.QueryAsync(
            "SELECT sha256, key_id FROM blob_keys WHERE sha256 IN (SELECT sha256 FROM version_files)",
            r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)),
            cancellationToken);

    public static Task DeleteAsync(DbSession session, string digest, CancellationToken cancellationToken) =>
        session.ExecuteAsync("DELETE FROM blob_keys WHERE sha256 = @sha256", cancellationToken, ("@sha256", digest));
}
