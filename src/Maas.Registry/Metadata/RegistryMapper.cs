using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>Turns stored rows into the registry's public records.</summary>
internal static class RegistryMapper
{
    public static ModelVersionInfo ToVersionInfo(string model, VersionRow row, IEnumerable<ArtifactFile> files, IEnumerable<ParentRow> parents) =>
        new(
            model,
            row.Number,
            RegistryJson.DeserializeManifest(row.ManifestJson),
            files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(),
            ToLineage(row, parents),
            row.CreatedAt,
            row.CreatedBy)
        {
            Report = RegistryJson.DeserializeReport(row.ReportJson),
        };

    /// <summary>The version's lineage; null for a pushed version (no parents recorded).</summary>
    public static Lineage? ToLineage(VersionRow row, IEnumerable<ParentRow> parents)
    {
        var list = parents.OrderBy(p => p.Position).Select(p => p.Parent).ToList();
        return list.Count == 0 || row.Transform is not { } transform
            ? null
            : new Lineage(list, transform, RegistryJson.DeserializeMap(row.TransformParamsJson)) { JobId = row.JobId };
    }

    public static ModelSummary ToSummary(ModelRow model, (int Count, int Latest)? stats, IEnumerable<AliasRow> aliases) =>
        new(
            model.Name,
            model.Description,
            stats?.Count ?? 0,
            stats?.Latest,
            aliases.ToDictionary(a => a.Alias, a => a.Version, StringComparer.Ordinal),
            RegistryJson.DeserializeMap(model.TagsJson),
            model.CreatedAt);
}
