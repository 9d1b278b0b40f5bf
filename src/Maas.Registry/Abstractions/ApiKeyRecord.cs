namespace Maas.Registry.Abstractions;

/// <summary>A stored API key: who it is for, what it may do, and a salted hash of its secret (never the secret).</summary>
/// <param name="Id">The public part of the key, used to look it up (<c>maas_&lt;id&gt;_&lt;secret&gt;</c>).</param>
/// <param name="Name">A display name (also the audit actor, with the id).</param>
/// <param name="Role">admin, publisher, inference or viewer.</param>
/// <param name="ModelPatterns">Model-name patterns (<c>*</c> wildcard) the key is limited to; empty = every model.</param>
/// <param name="Salt">Random salt of the hash (base64).</param>
/// <param name="Hash">HMAC-SHA256 of the secret under the salt (base64).</param>
/// <param name="DisplayPrefix">The first characters of the full key, safe to show in lists.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CreatedBy">The actor who created it.</param>
public sealed record ApiKeyRecord(
    string Id,
    string Name,
    string Role,
    IReadOnlyList<string> ModelPatterns,
    string Salt,
    string Hash,
    string DisplayPrefix,
    DateTimeOffset CreatedAt,
    string CreatedBy)
{
    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>The key's own requests-per-second limit; null = the server's default.</summary>
    public double? RequestsPerSecond { get; init; }

    /// <summary>The key's own generated-tokens-per-minute quota; null = the server's default.</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Neither revoked nor expired at <paramref name="now"/>.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || expires > now);
}
