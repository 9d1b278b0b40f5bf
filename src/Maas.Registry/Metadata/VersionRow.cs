namespace Maas.Registry.Metadata;

/// <summary>A row of <c>versions</c>; manifest and lineage parameters still as stored JSON.</summary>
internal sealed record VersionRow(
    long Id,
    long ModelId,
    int Number,
    string ManifestJson,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string? ParentModel,
    int? ParentVersion,
    string? Transform,
    string? TransformParamsJson);
