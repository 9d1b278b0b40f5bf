using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>A row of <c>version_parents</c>.</summary>
internal sealed record ParentRow(long VersionId, int Position, LineageParent Parent);
