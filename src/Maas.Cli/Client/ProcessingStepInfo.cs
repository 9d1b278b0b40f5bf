using System.Text.Json;

namespace Maas.Cli.Client;

/// <summary>A pre- or post-processing step of a manifest, e.g. <c>wordpiece {vocab: vocab.txt}</c>.</summary>
internal sealed record ProcessingStepInfo(string Name, IReadOnlyDictionary<string, JsonElement>? Parameters);
