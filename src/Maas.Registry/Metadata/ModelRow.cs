namespace Maas.Registry.Metadata;

/// <summary>A row of <c>models</c>; tags still as stored JSON.</summary>
internal sealed record ModelRow(long Id, string Name, string? Description, string TagsJson, DateTimeOffset CreatedAt);
