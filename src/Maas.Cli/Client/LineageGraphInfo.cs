namespace Maas.Cli.Client;

/// <summary>The body of <c>GET /api/models/{name}/lineage</c>: the model's versions and, transitively, their parents.</summary>
internal sealed record LineageGraphInfo
{
    public required string Model { get; init; }

    public IReadOnlyList<LineageNodeInfo> Nodes { get; init; } = [];
}
