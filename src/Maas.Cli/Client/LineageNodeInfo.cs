namespace Maas.Cli.Client;

/// <summary>One version in a lineage graph; <see cref="Exists"/> is false for a parent deleted since.</summary>
internal sealed record LineageNodeInfo
{
    public required string Model { get; init; }

    public int Version { get; init; }

    public bool Exists { get; init; } = true;

    public ModelLineage? Lineage { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
}
