using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>The registry's read side: listings, resolution, lineage, audit and deployment settings, each in one
/// session over the metadata database.</summary>
/// <remarks>Callers validate names and initialize the registry first; the lookups that writes share
/// (<see cref="RequireModelAsync"/>, <see cref="RequireVersionAsync"/>, <see cref="ReadDeploymentAsync"/>) run in the
/// caller's session.</remarks>
internal sealed class RegistryReader(IMetadataDatabase database)
{
    private const int MaxAuditLimit = 1000;

    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var models = await RegistryQueries.ListModelsAsync(session, cancellationToken).ConfigureAwait(false);
            var stats = await RegistryQueries.VersionStatsAsync(session, cancellationToken).ConfigureAwait(false);
            var aliases = (await RegistryQueries.AliasesAsync(session, null, cancellationToken).ConfigureAwait(false)).ToLookup(a => a.ModelId);
            return models
                .Select(m => RegistryMapper.ToSummary(m, stats.TryGetValue(m.Id, out var s) ? s : null, aliases[m.Id]))
                .ToList();
        }
    }

    public async Task<ModelDetails?> GetModelAsync(string name, CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryQueries.FindModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return null;
            }

            var versions = await RegistryQueries.VersionsAsync(session, model.Id, cancellationToken).ConfigureAwait(false);
            var files = (await RegistryQueries.FilesAsync(session, model.Id, null, cancellationToken).ConfigureAwait(false)).ToLookup(f => f.VersionId);
            var parents = (await RegistryQueries.ParentsAsync(session, model.Id, null, cancellationToken).ConfigureAwait(false)).ToLookup(p => p.VersionId);
            var aliases = await RegistryQueries.AliasesAsync(session, model.Id, cancellationToken).ConfigureAwait(false);
            (int, int)? stats = versions.Count == 0 ? null : (versions.Count, versions[0].Number);
            return new ModelDetails(
                RegistryMapper.ToSummary(model, stats, aliases),
                versions.Select(v => RegistryMapper.ToVersionInfo(model.Name, v, files[v.Id].Select(f => f.File), parents[v.Id])).ToList());
        }
    }

    public async Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RequireModelAsync(session, reference.Name, cancellationToken).ConfigureAwait(false);
            VersionRow? row;
            if (reference.Version is { } version)
            {
                row = await RequireVersionAsync(session, model, version, cancellationToken).ConfigureAwait(false);
            }
            else if (reference.Alias is { } alias)
            {
                var target = await RegistryQueries.AliasTargetAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false)
                    ?? throw MaasException.NotFound($"model '{model.Name}' has no alias '{alias}'");
                row = await RequireVersionAsync(session, model, target, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var production = await RegistryQueries.AliasTargetAsync(session, model.Id, ModelReference.DefaultAlias, cancellationToken).ConfigureAwait(false);
                row = production is { } p
                    ? await RegistryQueries.FindVersionAsync(session, model.Id, p, cancellationToken).ConfigureAwait(false)
                    : await RegistryQueries.LatestVersionAsync(session, model.Id, cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    throw MaasException.NotFound($"model '{model.Name}' has no versions");
                }
            }

            var files = await RegistryQueries.FilesAsync(session, model.Id, row.Id, cancellationToken).ConfigureAwait(false);
            var parents = await RegistryQueries.ParentsAsync(session, model.Id, row.Id, cancellationToken).ConfigureAwait(false);
            return RegistryMapper.ToVersionInfo(model.Name, row, files.Select(f => f.File), parents);
        }
    }

    /// <summary>Every model's default version, as <see cref="ResolveAsync"/> resolves a bare name: three statements
    /// (versions, their files, their parents) however many models there are.</summary>
    public async Task<IReadOnlyDictionary<string, ModelVersionInfo>> ResolveDefaultsAsync(CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var versions = await RegistryQueries.DefaultVersionsAsync(session, ModelReference.DefaultAlias, cancellationToken).ConfigureAwait(false);
            var ids = versions.Select(v => v.Row.Id).ToList();
            var files = (await RegistryQueries.FilesOfVersionsAsync(session, ids, cancellationToken).ConfigureAwait(false)).ToLookup(f => f.VersionId);
            var parents = (await RegistryQueries.ParentsOfVersionsAsync(session, ids, cancellationToken).ConfigureAwait(false)).ToLookup(p => p.VersionId);
            return versions.ToDictionary(
                v => v.Model,
                v => RegistryMapper.ToVersionInfo(v.Model, v.Row, files[v.Row.Id].Select(f => f.File), parents[v.Row.Id]),
                StringComparer.Ordinal);
        }
    }

    public async Task<LineageGraph> GetLineageAsync(string name, CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            return await LineageReader.ReadAsync(session, model, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? model, int limit, CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await RegistryQueries.AuditAsync(session, model, Math.Clamp(limit, 1, MaxAuditLimit), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ModelDeployment> GetDeploymentAsync(string name, CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            return await ReadDeploymentAsync(session, model, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<ModelDeployment> ReadDeploymentAsync(DbSession session, ModelRow model, CancellationToken cancellationToken) =>
        await RegistryQueries.DeploymentAsync(session, model.Id, cancellationToken).ConfigureAwait(false) is { } row
            ? new ModelDeployment(model.Name, RegistryJson.DeserializeOverrides(row.Json), row.At, row.By)
            : new ModelDeployment(model.Name, DeploymentOverrides.None, null, null);

    public static async Task<ModelRow> RequireModelAsync(DbSession session, string name, CancellationToken cancellationToken) =>
        await RegistryQueries.FindModelAsync(session, name, cancellationToken).ConfigureAwait(false)
        ?? throw MaasException.NotFound($"model '{name}' not found");

    public static async Task<VersionRow> RequireVersionAsync(DbSession session, ModelRow model, int version, CancellationToken cancellationToken) =>
        await RegistryQueries.FindVersionAsync(session, model.Id, version, cancellationToken).ConfigureAwait(false)
        ?? throw MaasException.NotFound($"model '{model.Name}' has no version {version}");
}
