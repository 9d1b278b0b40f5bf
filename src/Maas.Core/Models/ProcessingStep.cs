namespace Maas.Core.Models;

/// <summary>A named pre- or post-processing step with string parameters, e.g. <c>wordpiece {vocab: vocab.txt}</c>.</summary>
public sealed record ProcessingStep(string Name, IReadOnlyDictionary<string, string> Parameters)
{
    public ProcessingStep(string name)
        : this(name, new Dictionary<string, string>())
    {
    }

    /// <summary>The parameter's value, or <paramref name="fallback"/> when absent.</summary>
    public string Get(string key, string fallback) => Parameters.TryGetValue(key, out var v) ? v : fallback;
}
