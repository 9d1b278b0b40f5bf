namespace Maas.Registry.Metadata;

/// <summary>A row of <c>versions</c>; manifest, lineage parameters and report still as stored JSON.</summary>
internal sealed record VersionRow(
    long Id,
    long ModelId,
    int Number,
    string ManifestJson,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string? Transform,
    string? TransformParamsJson,
    string? JobId,
    string? ReportJson);
