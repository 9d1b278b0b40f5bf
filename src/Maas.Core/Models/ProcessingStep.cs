using System.Text.Json.Serialization;

namespace Maas.Core.Models;

/// <summary>A named pre- or post-processing step with string parameters, e.g. <c>wordpiece {vocab: vocab.txt}</c>.</summary>
public sealed record ProcessingStep
{
    [JsonConstructor]
    public ProcessingStep(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        Name = name;
        Parameters = parameters ?? new Dictionary<string, string>();
    }

    public string Name { get; init; }

    public IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>The parameter's value, or <paramref name="fallback"/> when absent.</summary>
    public string Get(string key, string fallback) => Parameters.TryGetValue(key, out var v) ? v : fallback;
}
