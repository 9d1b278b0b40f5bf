using System.Text.Json;
using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Core.Serialization;

namespace Maas.Registry.Metadata;

/// <summary>JSON columns (manifest, tags, lineage parameters), written with Maas' own conventions.</summary>
internal static class RegistryJson
{
    private static readonly JsonSerializerOptions Options = MaasJson.Options;

    public static string SerializeManifest(ModelManifest manifest) => JsonSerializer.Serialize(manifest, Options);

    public static ModelManifest DeserializeManifest(string json) =>
        JsonSerializer.Deserialize<ModelManifest>(json, Options)
        ?? throw new InvalidDataException("A stored manifest is null.");

    public static string SerializeOverrides(DeploymentOverrides overrides) => JsonSerializer.Serialize(overrides, Options);

    public static DeploymentOverrides DeserializeOverrides(string json) =>
        JsonSerializer.Deserialize<DeploymentOverrides>(json, Options) ?? DeploymentOverrides.None;

    public static string SerializeMap(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(map.ToDictionary(), StringComparer.Ordinal), Options);

    public static IReadOnlyDictionary<string, string> DeserializeMap(string? json) =>
        string.IsNullOrEmpty(json)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(json, Options) ?? [];

    public static string? SerializeReport(Abstractions.VersionReport? report) =>
        report is null ? null : JsonSerializer.Serialize(report, Options);

    public static Abstractions.VersionReport? DeserializeReport(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<Abstractions.VersionReport>(json, Options);

    public static string SerializeList(IReadOnlyList<string> list) => JsonSerializer.Serialize(list, Options);

    public static IReadOnlyList<string> DeserializeList(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<string>>(json, Options) ?? [];
}
