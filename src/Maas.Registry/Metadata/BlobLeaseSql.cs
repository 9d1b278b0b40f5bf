namespace Maas.Registry.Metadata;

/// <summary>Statements over the <c>blob_leases</c> table; callers run them inside a write session.</summary>
internal static class BlobLeaseSql
{
    /// <summary>Takes (or extends) <paramref name="holder"/>'s lease on a digest until <paramref name="expiresAt"/>.</summary>
    public static Task<int> UpsertAsync(DbSession session, string digest, string holder, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            session.Dialect.Upsert("blob_leases", ["digest", "holder"], ["expires_at"]),
            cancellationToken,
            ("@digest", digest),
            ("@holder", holder),
            ("@expires_at", DbValues.Timestamp(expiresAt)));

    /// <summary>Drops every lease of one holder (a push that committed its version or gave up).</summary>
    public static Task<int> ReleaseAsync(DbSession session, string holder, CancellationToken cancellationToken) =>
        session.ExecuteAsync("DELETE FROM blob_leases WHERE holder = @holder", cancellationToken, ("@holder", holder));

    /// <summary>Whether anyone holds an unexpired lease on the digest.</summary>
    public static async Task<bool> IsLeasedAsync(DbSession session, string digest, DateTimeOffset now, CancellationToken cancellationToken) =>
        await session.ScalarAsync(
            "SELECT 1 FROM blob_leases WHERE digest = @digest AND expires_at > @now LIMIT 1",
            cancellationToken,
            ("@digest", digest),
            ("@now", DbValues.Timestamp(now))).ConfigureAwait(false) is not null;

    /// <summary>Drops leases that expire at or before <paramref name="before"/> (of pushes that died); returns how many.</summary>
    public static Task<int> DeleteExpiredAsync(DbSession session, DateTimeOffset before, CancellationToken cancellationToken) =>
        session.ExecuteAsync("DELETE FROM blob_leases WHERE expires_at <= @before", cancellationToken, ("@before", DbValues.Timestamp(before)));
}
