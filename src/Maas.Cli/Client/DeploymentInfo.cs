namespace Maas.Cli.Client;

/// <summary>One version as the server's model host holds it (<c>GET /api/deployments</c>, and nested in a model).</summary>
internal sealed record DeploymentInfo
{
    public string Model { get; init; } = string.Empty;

    public int Version { get; init; }

    /// <summary><c>ready</c>, <c>loading</c>, <c>failed</c> or <c>unloading</c>.</summary>
    public string State { get; init; } = string.Empty;

    public DeploymentSettingsInfo? Settings { get; init; }

    public DateTimeOffset? LoadedAt { get; init; }

    public double? LoadMs { get; init; }

    public long MemoryBytes { get; init; }

    public int InFlight { get; init; }

    public int Queued { get; init; }

    public int Running { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    public DateTimeOffset? NextRetryAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public bool Reloading { get; init; }

    public bool Pinned { get; init; }
}
