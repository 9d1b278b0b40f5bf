using Maas.Core.Models;

namespace Maas.Registry.Abstractions;

/// <summary>An immutable model version: number, manifest, files and lineage.</summary>
public sealed record ModelVersionInfo(
    string Model,
    int Version,
    ModelManifest Manifest,
    IReadOnlyList<ArtifactFile> Files,
    Lineage? Lineage,
    DateTimeOffset CreatedAt,
    string CreatedBy)
{
    /// <summary>Display key, e.g. <c>all-minilm-l6-v2:1</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{Model}:{Version}";

    /// <summary>The measured report of the transform that produced this version; null for pushed versions.</summary>
    public VersionReport? Report { get; init; }
}

/// <summary>A file of a version: logical name, size and SHA-256 digest (lower-case hex).</summary>
public sealed record ArtifactFile(string Name, long Size, string Sha256);
