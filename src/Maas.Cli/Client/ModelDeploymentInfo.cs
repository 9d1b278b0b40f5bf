namespace Maas.Cli.Client;

/// <summary>The body of <c>GET</c>/<c>PUT /api/models/{name}/deployment</c>.</summary>
internal sealed record ModelDeploymentInfo
{
    public string Model { get; init; } = string.Empty;

    public DeploymentSettingsInfo Overrides { get; init; } = new();

    public DeploymentSettingsInfo Effective { get; init; } = new();

    public DateTimeOffset? UpdatedAt { get; init; }

    public string? UpdatedBy { get; init; }
}
