namespace Maas.Cli.Client;

/// <summary>An API key as the server lists it; <see cref="Key"/> only in the answer to its creation.</summary>
internal sealed record ApiKeyInfo
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Role { get; init; }

    public IReadOnlyList<string> Models { get; init; } = [];

    public string? Prefix { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public double? RequestsPerSecond { get; init; }

    public int? TokensPerMinute { get; init; }

    public string? State { get; init; }

    public string? Key { get; init; }
}
