using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>The registry's write statements; callers run them inside a write session.</summary>
internal static class RegistryCommands
{
    public static async Task<long> InsertModelAsync(
        DbSession session, string name, string? description, string tagsJson, DateTimeOffset at, CancellationToken cancellationToken) =>
        DbValues.ToLong(await session.ScalarAsync(
            "INSERT INTO models (name, description, tags, created_at) VALUES (@name, @description, @tags, @at) RETURNING id",
            cancellationToken,
            ("@name", name),
            ("@description", description),
            ("@tags", tagsJson),
            ("@at", DbValues.Timestamp(at))).ConfigureAwait(false));

    /// <summary>Sets the non-null fields.</summary>
    public static Task<int> UpdateModelAsync(DbSession session, long modelId, string? description, string? tagsJson, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE models SET description = COALESCE(CAST(@description AS TEXT), description), tags = COALESCE(CAST(@tags AS TEXT), tags) WHERE id = @id",
            cancellationToken,
            ("@id", modelId),
            ("@description", description),
            ("@tags", tagsJson));

    public static async Task<int> NextVersionNumberAsync(DbSession session, long modelId, CancellationToken cancellationToken) =>
        DbValues.ToInt(await session.ScalarAsync(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE model_id = @model",
            cancellationToken,
            ("@model", modelId)).ConfigureAwait(false));

    public static async Task<long> InsertVersionAsync(
        DbSession session,
        long modelId,
        int number,
        string manifestJson,
        DateTimeOffset at,
        string createdBy,
        Lineage? lineage,
        string? reportJson,
        CancellationToken cancellationToken)
    {
        var versionId = DbValues.ToLong(await session.ScalarAsync(
            "INSERT INTO versions (model_id, number, manifest, created_at, created_by, transform, transform_params, job_id, report) " +
            "VALUES (@model, @number, @manifest, @at, @by, @transform, @params, @job, @report) RETURNING id",
            cancellationToken,
            ("@model", modelId),
            ("@number", number),
            ("@manifest", manifestJson),
            ("@at", DbValues.Timestamp(at)),
            ("@by", createdBy),
            ("@transform", lineage?.Transform),
            ("@params", lineage is null ? null : RegistryJson.SerializeMap(lineage.Parameters)),
            ("@job", lineage?.JobId),
            ("@report", reportJson)).ConfigureAwait(false));
        for (var i = 0; lineage is not null && i < lineage.Parents.Count; i++)
        {
            var parent = lineage.Parents[i];
            await session.ExecuteAsync(
                "INSERT INTO version_parents (version_id, position, parent_model, parent_version, role) VALUES (@version, @position, @model, @number, @role)",
                cancellationToken,
                ("@version", versionId),
                ("@position", i),
                ("@model", parent.Model),
                ("@number", parent.Version),
                ("@role", parent.Role)).ConfigureAwait(false);
        }

        return versionId;
    }

    public static Task<int> InsertFileAsync(DbSession session, long versionId, ArtifactFile file, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO version_files (version_id, name, size, sha256) VALUES (@version, @name, @size, @sha)",
            cancellationToken,
            ("@version", versionId),
            ("@name", file.Name),
            ("@size", file.Size),
            ("@sha", file.Sha256));

    public static Task<int> UpsertAliasAsync(DbSession session, long modelId, string alias, long versionId, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            session.Dialect.Upsert("aliases", ["model_id", "alias"], ["version_id"]),
            cancellationToken,
            ("@model_id", modelId),
            ("@alias", alias),
            ("@version_id", versionId));

    public static Task<int> DeleteAliasAsync(DbSession session, long modelId, string alias, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM aliases WHERE model_id = @model AND alias = @alias",
            cancellationToken,
            ("@model", modelId),
            ("@alias", alias));

    /// <summary>Deletes a version with its aliases and file rows (children first, so foreign keys hold throughout).</summary>
    public static async Task DeleteVersionAsync(DbSession session, long versionId, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("DELETE FROM aliases WHERE version_id = @id", cancellationToken, ("@id", versionId)).ConfigureAwait(false);
        await session.ExecuteAsync("DELETE FROM version_files WHERE version_id = @id", cancellationToken, ("@id", versionId)).ConfigureAwait(false);
        await session.ExecuteAsync("DELETE FROM version_parents WHERE version_id = @id", cancellationToken, ("@id", versionId)).ConfigureAwait(false);
        await session.ExecuteAsync("DELETE FROM versions WHERE id = @id", cancellationToken, ("@id", versionId)).ConfigureAwait(false);
    }

    public static Task<int> UpsertDeploymentAsync(
        DbSession session, long modelId, string overridesJson, DateTimeOffset at, string by, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            session.Dialect.Upsert("model_deployments", ["model_id"], ["overrides", "updated_at", "updated_by"]),
            cancellationToken,
            ("@model_id", modelId),
            ("@overrides", overridesJson),
            ("@updated_at", DbValues.Timestamp(at)),
            ("@updated_by", by));

    public static Task<int> InsertAuditAsync(
        DbSession session,
        DateTimeOffset at,
        string actor,
        string action,
        string model,
        int? version,
        string? detail,
        CancellationToken cancellationToken,
        string? address = null) =>
        session.ExecuteAsync(
            "INSERT INTO audit (at, actor, action, model, version, detail, address) VALUES (@at, @actor, @action, @model, @version, @detail, @address)",
            cancellationToken,
            ("@at", DbValues.Timestamp(at)),
            ("@actor", actor),
            ("@action", action),
            ("@model", model),
            ("@version", version),
            ("@detail", detail),
            ("@address", address ?? AuditScope.Address));
}
