using System.Text.Json;

namespace Maas.Cli.Client;

/// <summary>Where a derived version came from: its parent versions (each with a role), the transform, its parameters
/// and the job that ran it.</summary>
/// <remarks>Parameters stay raw JSON because each transform defines its own; the CLI only displays them.</remarks>
internal sealed record ModelLineage
{
    public IReadOnlyList<LineageParentInfo> Parents { get; init; } = [];

    public string? Transform { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Parameters { get; init; }

    public string? JobId { get; init; }
}
