namespace Maas.Registry.Abstractions;

/// <summary>A model's versions with their ancestry: every version of <see cref="Model"/> plus, transitively, every
/// version any of them was derived from (across models).</summary>
public sealed record LineageGraph(string Model, IReadOnlyList<LineageNode> Nodes);

/// <summary>One version in a <see cref="LineageGraph"/>.</summary>
/// <param name="Model">The version's model.</param>
/// <param name="Version">The version number.</param>
/// <param name="Exists">False for a parent that was deleted after its children were made.</param>
/// <param name="Lineage">Its own parents and transform; null for a pushed (root) version.</param>
/// <param name="CreatedAt">When it was registered; null when it no longer exists.</param>
public sealed record LineageNode(string Model, int Version, bool Exists, Lineage? Lineage, DateTimeOffset? CreatedAt)
{
    /// <summary>Display key, e.g. <c>all-minilm-l6-v2:1</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{Model}:{Version}";
}
