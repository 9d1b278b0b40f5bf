using System.Data.Common;
using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>The registry's read statements.</summary>
internal static class RegistryQueries
{
    private const string ModelColumns = "id, name, description, tags, created_at";

    private const string VersionColumns =
        "id, model_id, number, manifest, created_at, created_by, transform, transform_params, job_id, report";

    private const string PrefixedVersionColumns =
        "v.id, v.model_id, v.number, v.manifest, v.created_at, v.created_by, v.transform, v.transform_params, v.job_id, v.report";

    private const string ParentSelect =
        "SELECT p.version_id, p.position, p.parent_model, p.parent_version, p.role FROM version_parents p JOIN versions v ON v.id = p.version_id";

    private const int MaxIdsPerStatement = 500;

    private const string FileSelect =
        "SELECT f.version_id, m.name, v.number, f.name, f.size, f.sha256 " +
        "FROM version_files f JOIN versions v ON v.id = f.version_id JOIN models m ON m.id = v.model_id";

    public static async Task<ModelRow?> FindModelAsync(DbSession session, string name, CancellationToken cancellationToken) =>
        (await session.QueryAsync($"SELECT {ModelColumns} FROM models WHERE name = @name", ReadModel, cancellationToken, ("@name", name))
            .ConfigureAwait(false)).SingleOrDefault();

    public static Task<List<ModelRow>> ListModelsAsync(DbSession session, CancellationToken cancellationToken) =>
        session.QueryAsync($"SELECT {ModelColumns} FROM models ORDER BY name", ReadModel, cancellationToken);

    /// <summary>Version count and latest number per model id.</summary>
    public static async Task<Dictionary<long, (int Count, int Latest)>> VersionStatsAsync(DbSession session, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(
            "SELECT model_id, COUNT(*), MAX(number) FROM versions GROUP BY model_id",
            r => (ModelId: DbValues.ToLong(r.GetValue(0)), Count: DbValues.ToInt(r.GetValue(1)), Latest: DbValues.ToInt(r.GetValue(2))),
            cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.ModelId, r => (r.Count, r.Latest));
    }

    /// <summary>Aliases of one model, or of all models when <paramref name="modelId"/> is null.</summary>
    public static Task<List<AliasRow>> AliasesAsync(DbSession session, long? modelId, CancellationToken cancellationToken) =>
        session.QueryAsync(
            "SELECT a.model_id, a.alias, a.version_id, v.number FROM aliases a JOIN versions v ON v.id = a.version_id " +
            "WHERE CAST(@model AS BIGINT) IS NULL OR a.model_id = @model ORDER BY a.alias",
            ReadAlias,
            cancellationToken,
            ("@model", modelId));

    public static Task<List<AliasRow>> AliasesOfVersionAsync(DbSession session, long versionId, CancellationToken cancellationToken) =>
        session.QueryAsync(
            "SELECT a.model_id, a.alias, a.version_id, v.number FROM aliases a JOIN versions v ON v.id = a.version_id " +
            "WHERE a.version_id = @version ORDER BY a.alias",
            ReadAlias,
            cancellationToken,
            ("@version", versionId));

    public static async Task<VersionRow?> FindVersionAsync(DbSession session, long modelId, int number, CancellationToken cancellationToken) =>
        (await session.QueryAsync(
            $"SELECT {VersionColumns} FROM versions WHERE model_id = @model AND number = @number",
            ReadVersion,
            cancellationToken,
            ("@model", modelId),
            ("@number", number)).ConfigureAwait(false)).SingleOrDefault();

    public static async Task<VersionRow?> LatestVersionAsync(DbSession session, long modelId, CancellationToken cancellationToken) =>
        (await session.QueryAsync(
            $"SELECT {VersionColumns} FROM versions WHERE model_id = @model ORDER BY number DESC LIMIT 1",
            ReadVersion,
            cancellationToken,
            ("@model", modelId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>All versions of a model, newest first.</summary>
    public static Task<List<VersionRow>> VersionsAsync(DbSession session, long modelId, CancellationToken cancellationToken) =>
        session.QueryAsync(
            $"SELECT {VersionColumns} FROM versions WHERE model_id = @model ORDER BY number DESC",
            ReadVersion,
            cancellationToken,
            ("@model", modelId));

    /// <summary>Each model's default version (the <paramref name="alias"/> target, else the highest number) with the
    /// model's name, ordered by name; models without versions have none.</summary>
    public static Task<List<(string Model, VersionRow Row)>> DefaultVersionsAsync(DbSession session, string alias, CancellationToken cancellationToken) =>
        session.QueryAsync(
            $"SELECT {PrefixedVersionColumns}, m.name FROM versions v JOIN models m ON m.id = v.model_id WHERE v.id = COALESCE(" +
            "(SELECT a.version_id FROM aliases a WHERE a.model_id = v.model_id AND a.alias = @alias), " +
            "(SELECT l.id FROM versions l WHERE l.model_id = v.model_id ORDER BY l.number DESC LIMIT 1)) ORDER BY m.name",
            r => (r.GetString(10), ReadVersion(r)),
            cancellationToken,
            ("@alias", alias));

    /// <summary>Lineage parents of one version, or of every version of the model when <paramref name="versionId"/> is null.</summary>
    public static Task<List<ParentRow>> ParentsAsync(DbSession session, long modelId, long? versionId, CancellationToken cancellationToken) =>
        session.QueryAsync(
            ParentSelect + " WHERE v.model_id = @model AND (CAST(@version AS BIGINT) IS NULL OR p.version_id = @version) " +
            "ORDER BY p.version_id, p.position",
            ReadParent,
            cancellationToken,
            ("@model", modelId),
            ("@version", versionId));

    /// <summary>Lineage parents of the given versions (any models).</summary>
    public static Task<List<ParentRow>> ParentsOfVersionsAsync(DbSession session, IReadOnlyList<long> versionIds, CancellationToken cancellationToken) =>
        ByVersionIdsAsync(session, versionIds, ParentSelect, "p.version_id", " ORDER BY p.version_id, p.position", ReadParent, cancellationToken);

    /// <summary>The version (model name and number) whose lineage names <paramref name="jobId"/>, or null.</summary>
    public static async Task<(string Model, int Version)?> VersionOfJobAsync(DbSession session, string jobId, CancellationToken cancellationToken) =>
        (await session.QueryAsync(
            "SELECT m.name, v.number FROM versions v JOIN models m ON m.id = v.model_id WHERE v.job_id = @job ORDER BY v.id LIMIT 1",
            r => (r.GetString(0), DbValues.ToInt(r.GetValue(1))),
            cancellationToken,
            ("@job", jobId)).ConfigureAwait(false)).Select(r => ((string, int)?)r).SingleOrDefault();

    public static async Task<int?> AliasTargetAsync(DbSession session, long modelId, string alias, CancellationToken cancellationToken)
    {
        var value = await session.ScalarAsync(
            "SELECT v.number FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = @model AND a.alias = @alias",
            cancellationToken,
            ("@model", modelId),
            ("@alias", alias)).ConfigureAwait(false);
        return value is null ? null : DbValues.ToInt(value);
    }

    /// <summary>Files of one version, or of every version of the model when <paramref name="versionId"/> is null.</summary>
    public static Task<List<FileRow>> FilesAsync(DbSession session, long modelId, long? versionId, CancellationToken cancellationToken) =>
        session.QueryAsync(
            FileSelect + " WHERE v.model_id = @model AND (CAST(@version AS BIGINT) IS NULL OR f.version_id = @version) ORDER BY f.name",
            ReadFile,
            cancellationToken,
            ("@model", modelId),
            ("@version", versionId));

    /// <summary>Files of the given versions (any models).</summary>
    public static Task<List<FileRow>> FilesOfVersionsAsync(DbSession session, IReadOnlyList<long> versionIds, CancellationToken cancellationToken) =>
        ByVersionIdsAsync(session, versionIds, FileSelect, "f.version_id", " ORDER BY f.name", ReadFile, cancellationToken);

    /// <summary>Every file of every version; for the consistency check.</summary>
    public static Task<List<FileRow>> AllFilesAsync(DbSession session, CancellationToken cancellationToken) =>
        session.QueryAsync(FileSelect + " ORDER BY m.name, v.number, f.name", ReadFile, cancellationToken);

    public static async Task<bool> IsDigestReferencedAsync(DbSession session, string sha256, CancellationToken cancellationToken) =>
        await session.ScalarAsync("SELECT 1 FROM version_files WHERE sha256 = @sha LIMIT 1", cancellationToken, ("@sha", sha256))
            .ConfigureAwait(false) is not null;

    /// <summary>The stored overrides of a model (JSON), with when and by whom they were set; null when none.</summary>
    public static async Task<(string Json, DateTimeOffset At, string By)?> DeploymentAsync(DbSession session, long modelId, CancellationToken cancellationToken) =>
        (await session.QueryAsync(
            "SELECT overrides, updated_at, updated_by FROM model_deployments WHERE model_id = @model",
            r => (r.GetString(0), DbValues.ReadTimestamp(r, 1), r.GetString(2)),
            cancellationToken,
            ("@model", modelId)).ConfigureAwait(false)).Select(r => ((string, DateTimeOffset, string)?)r).SingleOrDefault();

    public static Task<List<AuditEntry>> AuditAsync(DbSession session, string? model, int limit, CancellationToken cancellationToken) =>
        session.QueryAsync(
            "SELECT id, at, actor, action, model, version, detail, address FROM audit WHERE CAST(@model AS TEXT) IS NULL OR model = @model ORDER BY id DESC LIMIT @limit",
            ReadAudit,
            cancellationToken,
            ("@model", model),
            ("@limit", limit));

    /// <summary>Audit records matching every given filter; an actor filter matches the actor or a key name (<c>name#id</c>).</summary>
    public static Task<List<AuditEntry>> AuditAsync(DbSession session, AuditQuery query, int limit, CancellationToken cancellationToken) =>
        session.QueryAsync(
            """
            SELECT id, at, actor, action, model, version, detail, address FROM audit
            WHERE (CAST(@model AS TEXT) IS NULL OR model = CAST(@model AS TEXT))
              AND (CAST(@actor AS TEXT) IS NULL OR actor = CAST(@actor AS TEXT)
                   OR substr(actor, 1, length(CAST(@actor AS TEXT)) + 1) = CAST(@actor AS TEXT) || '#')
              AND (CAST(@action AS TEXT) IS NULL OR action = CAST(@action AS TEXT))
              AND (CAST(@since AS TEXT) IS NULL OR at >= CAST(@since AS TEXT))
            ORDER BY id DESC LIMIT @limit
            """,
            ReadAudit,
            cancellationToken,
            ("@model", query.Model),
            ("@actor", query.Actor),
            ("@action", query.Action),
            ("@since", query.Since is { } since ? DbValues.Timestamp(since) : null),
            ("@limit", limit));

    // "column IN (@id0, @id1, ...)": one statement per MaxIdsPerStatement ids, far below both databases' parameter limits.
    private static async Task<List<T>> ByVersionIdsAsync<T>(
        DbSession session, IReadOnlyList<long> versionIds, string select, string column, string orderBy, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        foreach (var chunk in versionIds.Chunk(MaxIdsPerStatement))
        {
            var parameters = chunk.Select((id, i) => ($"@id{i}", (object?)id)).ToArray();
            var sql = $"{select} WHERE {column} IN ({string.Join(", ", parameters.Select(p => p.Item1))}){orderBy}";
            rows.AddRange(await session.QueryAsync(sql, map, cancellationToken, parameters).ConfigureAwait(false));
        }

        return rows;
    }

    private static ParentRow ReadParent(DbDataReader r) =>
        new(DbValues.ToLong(r.GetValue(0)), DbValues.ToInt(r.GetValue(1)), new LineageParent(r.GetString(2), DbValues.ToInt(r.GetValue(3)), r.GetString(4)));

    private static AuditEntry ReadAudit(DbDataReader r) =>
        new(
            DbValues.ToLong(r.GetValue(0)),
            DbValues.ReadTimestamp(r, 1),
            r.GetString(2),
            r.GetString(3),
            r.GetString(4),
            DbValues.ReadNullableInt(r, 5),
            DbValues.ReadNullableString(r, 6))
        {
            Address = DbValues.ReadNullableString(r, 7),
        };

    private static ModelRow ReadModel(DbDataReader r) =>
        new(DbValues.ToLong(r.GetValue(0)), r.GetString(1), DbValues.ReadNullableString(r, 2), r.GetString(3), DbValues.ReadTimestamp(r, 4));

    private static VersionRow ReadVersion(DbDataReader r) =>
        new(
            DbValues.ToLong(r.GetValue(0)),
            DbValues.ToLong(r.GetValue(1)),
            DbValues.ToInt(r.GetValue(2)),
            r.GetString(3),
            DbValues.ReadTimestamp(r, 4),
            r.GetString(5),
            DbValues.ReadNullableString(r, 6),
            DbValues.ReadNullableString(r, 7),
            DbValues.ReadNullableString(r, 8),
            DbValues.ReadNullableString(r, 9));

    private static AliasRow ReadAlias(DbDataReader r) =>
        new(DbValues.ToLong(r.GetValue(0)), r.GetString(1), DbValues.ToLong(r.GetValue(2)), DbValues.ToInt(r.GetValue(3)));

    private static FileRow ReadFile(DbDataReader r) =>
        new(
            DbValues.ToLong(r.GetValue(0)),
            r.GetString(1),
            DbValues.ToInt(r.GetValue(2)),
            new ArtifactFile(r.GetString(3), DbValues.ToLong(r.GetValue(4)), r.GetString(5)));
}
