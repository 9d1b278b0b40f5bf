using Maas.Registry.Metadata;

namespace Maas.Registry.Changes;

/// <summary>Statements over <c>registry_changes</c>.</summary>
internal static class ChangeSql
{
    /// <summary>Records a change inside the writing transaction, so it exists exactly when the change committed, and
    /// wakes listening replicas where the database can (PostgreSQL <c>NOTIFY</c> is delivered at commit).</summary>
    public static async Task InsertAsync(
        DbSession session,
        string kind,
        string model,
        int? version,
        string? alias,
        string origin,
        DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(
            "INSERT INTO registry_changes (kind, model, version, alias, origin, at) VALUES (@kind, @model, @version, @alias, @origin, @at)",
            cancellationToken,
            ("@kind", kind),
            ("@model", model),
            ("@version", version),
            ("@alias", alias),
            ("@origin", origin),
            ("@at", DbValues.Timestamp(at))).ConfigureAwait(false);
        if (session.Dialect.ChangeNotification is { } notify)
        {
            await session.ExecuteAsync(notify, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<long> LastIdAsync(DbSession session, CancellationToken cancellationToken) =>
        DbValues.ToLong(await session.ScalarAsync("SELECT COALESCE(MAX(id), 0) FROM registry_changes", cancellationToken).ConfigureAwait(false));

    public static Task<List<RegistryChange>> AfterAsync(DbSession session, long after, int limit, CancellationToken cancellationToken) =>
        session.QueryAsync(
            "SELECT id, kind, model, version, alias, origin FROM registry_changes WHERE id > @after ORDER BY id LIMIT @limit",
            r => new RegistryChange(
                DbValues.ToLong(r.GetValue(0)),
                r.GetString(1),
                r.GetString(2),
                DbValues.ReadNullableInt(r, 3),
                DbValues.ReadNullableString(r, 4),
                r.GetString(5)),
            cancellationToken,
            ("@after", after),
            ("@limit", limit));

    public static Task<int> PruneAsync(DbSession session, DateTimeOffset before, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM registry_changes WHERE at < @before",
            cancellationToken,
            ("@before", DbValues.Timestamp(before)));
}
