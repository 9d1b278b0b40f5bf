namespace Maas.Cli.Client;

/// <summary>The body of <c>GET /api/models/{name}</c>: the model, its aliases and every version.</summary>
internal sealed record ModelDetails
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, int> Aliases { get; init; } = new Dictionary<string, int>();

    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<ModelVersionInfo> Versions { get; init; } = [];

    /// <summary>Versions the server holds (loaded, loading, failed or draining); older servers send none.</summary>
    public IReadOnlyList<DeploymentInfo> Deployments { get; init; } = [];
}
