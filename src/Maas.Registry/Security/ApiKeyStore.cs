using System.Data.Common;
using System.Globalization;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Registry.Metadata;

namespace Maas.Registry.Security;

/// <summary>API keys in the <c>api_keys</c> table; creation and revocation write their audit record in the same transaction.</summary>
internal sealed class ApiKeyStore(ModelRegistry registry, IMetadataDatabase database, TimeProvider time) : IApiKeyStore
{
    public const string ActionCreate = "key.create";
    public const string ActionRevoke = "key.revoke";

    private const string Columns =
        "id, name, role, models, salt, hash, display_prefix, created_at, created_by, expires_at, revoked_at, last_used_at, requests_per_second, tokens_per_minute";

    public async Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (await session.ScalarAsync("SELECT 1 FROM api_keys WHERE id = @id", cancellationToken, ("@id", key.Id)).ConfigureAwait(false) is not null)
            {
                throw MaasException.Conflict($"An API key with id '{key.Id}' exists.");
            }

            await session.ExecuteAsync(
                $"INSERT INTO api_keys ({Columns}) VALUES (@id, @name, @role, @models, @salt, @hash, @prefix, @created_at, @created_by, @expires_at, NULL, NULL, @rps, @tpm)",
                cancellationToken,
                ("@id", key.Id),
                ("@name", key.Name),
                ("@role", key.Role),
                ("@models", RegistryJson.SerializeList(key.ModelPatterns)),
                ("@salt", key.Salt),
                ("@hash", key.Hash),
                ("@prefix", key.DisplayPrefix),
                ("@created_at", DbValues.Timestamp(key.CreatedAt)),
                ("@created_by", key.CreatedBy),
                ("@expires_at", key.ExpiresAt is { } e ? DbValues.Timestamp(e) : null),
                ("@rps", key.RequestsPerSecond),
                ("@tpm", key.TokensPerMinute)).ConfigureAwait(false);
            await RegistryCommands.InsertAuditAsync(session, time.GetUtcNow(), key.CreatedBy, ActionCreate, "-", null, Describe(key), cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.QueryAsync($"SELECT {Columns} FROM api_keys ORDER BY created_at DESC, id", Read, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await FindAsync(session, id, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ApiKeyRecord> RevokeAsync(string id, string actor, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var key = await FindAsync(session, id, cancellationToken).ConfigureAwait(false)
                ?? throw MaasException.NotFound($"API key '{id}' not found.");
            if (key.RevokedAt is not null)
            {
                return key;
            }

            var now = time.GetUtcNow();
            await session.ExecuteAsync("UPDATE api_keys SET revoked_at = @at WHERE id = @id", cancellationToken, ("@at", DbValues.Timestamp(now)), ("@id", id))
                .ConfigureAwait(false);
            await RegistryCommands.InsertAuditAsync(session, now, actor, ActionRevoke, "-", null, Describe(key), cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return key with { RevokedAt = now };
        }
    }

    public async Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ExecuteAsync("UPDATE api_keys SET last_used_at = @at WHERE id = @id", cancellationToken, ("@at", DbValues.Timestamp(at)), ("@id", id))
                .ConfigureAwait(false);
        }
    }

    public async Task<bool> HasActiveKeyAsync(string role, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.ScalarAsync(
                "SELECT 1 FROM api_keys WHERE role = @role AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now) LIMIT 1",
                cancellationToken,
                ("@role", role),
                ("@now", DbValues.Timestamp(now))).ConfigureAwait(false) is not null;
        }
    }

    private static async Task<ApiKeyRecord?> FindAsync(DbSession session, string id, CancellationToken cancellationToken) =>
        (await session.QueryAsync($"SELECT {Columns} FROM api_keys WHERE id = @id", Read, cancellationToken, ("@id", id)).ConfigureAwait(false))
        .SingleOrDefault();

    private static string Describe(ApiKeyRecord key) =>
        string.Create(CultureInfo.InvariantCulture, $"key {key.Id} '{key.Name}' role {key.Role}")
        + (key.ModelPatterns.Count == 0 ? string.Empty : $", models {string.Join(" ", key.ModelPatterns)}")
        + (key.ExpiresAt is { } e ? $", expires {DbValues.Timestamp(e)}" : string.Empty);

    private static ApiKeyRecord Read(DbDataReader r) =>
        new(
            r.GetString(0),
            r.GetString(1),
            r.GetString(2),
            RegistryJson.DeserializeList(r.GetString(3)),
            r.GetString(4),
            r.GetString(5),
            r.GetString(6),
            DbValues.ReadTimestamp(r, 7),
            r.GetString(8))
        {
            ExpiresAt = ReadNullableTimestamp(r, 9),
            RevokedAt = ReadNullableTimestamp(r, 10),
            LastUsedAt = ReadNullableTimestamp(r, 11),
            RequestsPerSecond = r.IsDBNull(12) ? null : Convert.ToDouble(r.GetValue(12), CultureInfo.InvariantCulture),
            TokensPerMinute = DbValues.ReadNullableInt(r, 13),
        };

    private static DateTimeOffset? ReadNullableTimestamp(DbDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : DbValues.ReadTimestamp(r, ordinal);
}
