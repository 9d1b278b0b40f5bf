using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>A row of <c>version_files</c>, with its version's model name and number for reporting.</summary>
internal sealed record FileRow(long VersionId, string Model, int Version, ArtifactFile File);
