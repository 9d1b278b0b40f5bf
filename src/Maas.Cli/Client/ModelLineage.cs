using System.Text.Json;

namespace Maas.Cli.Client;

/// <summary>Where a derived version came from: the parent version and the transform that produced it.</summary>
/// <remarks>Parameters stay raw JSON because each transform defines its own; the CLI only displays them.</remarks>
internal sealed record ModelLineage(
    string ParentModel,
    int ParentVersion,
    string Transform,
    IReadOnlyDictionary<string, JsonElement>? Parameters);
