namespace Maas.Registry.Metadata;

/// <summary>An alias with the number of the version it points at.</summary>
internal sealed record AliasRow(long ModelId, string Alias, long VersionId, int Version);
