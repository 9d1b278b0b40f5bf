namespace Maas.Cli.Client;

/// <summary>One row of <c>GET /api/models</c>.</summary>
internal sealed record ModelSummary
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public int VersionCount { get; init; }

    public int? LatestVersion { get; init; }

    public IReadOnlyDictionary<string, int> Aliases { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset CreatedAt { get; init; }
}
