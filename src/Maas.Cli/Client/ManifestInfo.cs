using System.Text.Json;

namespace Maas.Cli.Client;

/// <summary>A version's manifest as the CLI reads it: what it is, its signature and its processing steps.</summary>
/// <remarks>
/// Deliberately looser than <c>Maas.Core.Models.ModelManifest</c> (data types as strings, parameters as raw JSON):
/// the CLI only displays it, and should keep working against a server that knows data types or step
/// parameters this build does not.
/// </remarks>
internal sealed record ManifestInfo
{
    public string? Format { get; init; }

    public string? Engine { get; init; }

    public string? Task { get; init; }

    public string? ModelFile { get; init; }

    public IReadOnlyList<TensorInfo> Inputs { get; init; } = [];

    public IReadOnlyList<TensorInfo> Outputs { get; init; } = [];

    public IReadOnlyList<ProcessingStepInfo> PreProcessing { get; init; } = [];

    public IReadOnlyList<ProcessingStepInfo> PostProcessing { get; init; } = [];

    public IReadOnlyList<string> Labels { get; init; } = [];

    public IReadOnlyDictionary<string, JsonElement> Properties { get; init; } = new Dictionary<string, JsonElement>();
}
