namespace Maas.Cli.Client;

/// <summary>The body of <c>GET /api/deployments</c>.</summary>
internal sealed record DeploymentList
{
    public IReadOnlyList<DeploymentInfo>? Deployments { get; init; }
}
