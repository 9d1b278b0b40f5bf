using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>Turns stored rows into the registry's public records.</summary>
internal static class RegistryMapper
{
    public static ModelVersionInfo ToVersionInfo(string model, VersionRow row, IEnumerable<ArtifactFile> files) =>
        new(
            model,
            row.Number,
            RegistryJson.DeserializeManifest(row.ManifestJson),
            files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(),
            row is { ParentModel: { } parent, ParentVersion: { } parentVersion, Transform: { } transform }
                ? Lineage.From(parent, parentVersion, transform, RegistryJson.DeserializeMap(row.TransformParamsJson))
                : null,
            row.CreatedAt,
            row.CreatedBy);

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
