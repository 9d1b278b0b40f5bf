using Maas.Registry.Abstractions;

namespace Maas.Server.Security;

/// <summary><c>POST /api/keys</c>: a new key. <see cref="Models"/> limits it to model patterns (<c>*</c> wildcard);
/// none = every model. <see cref="ExpiresAt"/> null = never.</summary>
public sealed record CreateKeyRequest(
    string? Name,
    string? Role,
    IReadOnlyList<string>? Models,
    DateTimeOffset? ExpiresAt,
    double? RequestsPerSecond,
    int? TokensPerMinute);

/// <summary>A key as listed: everything but its secret and hash.</summary>
public sealed record KeyInfo(
    string Id,
    string Name,
    string Role,
    IReadOnlyList<string> Models,
    string Prefix,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    double? RequestsPerSecond,
    int? TokensPerMinute,
    string State)
{
    /// <summary>The full key; only in the answer to its creation, never again.</summary>
    public string? Key { get; init; }

    internal static KeyInfo From(ApiKeyRecord key, DateTimeOffset now) => new(
        key.Id,
        key.Name,
        key.Role,
        key.ModelPatterns,
        key.DisplayPrefix,
        key.CreatedAt,
        key.CreatedBy,
        key.ExpiresAt,
        key.RevokedAt,
        key.LastUsedAt,
        key.RequestsPerSecond,
        key.TokensPerMinute,
        key.RevokedAt is not null ? "revoked" : key.ExpiresAt is { } e && e <= now ? "expired" : "active");
}

/// <summary><c>GET /api/keys</c>.</summary>
public sealed record KeyListResponse(IReadOnlyList<KeyInfo> Keys);
