namespace Maas.Server.Security;

/// <summary>JWT bearer validation for callers with an identity provider (<c>Maas:Auth:Jwt</c>); off unless
/// <see cref="Authority"/> or <see cref="SigningKeys"/> is set.</summary>
/// <remarks>The token must carry a role claim (<see cref="RoleClaim"/>: admin, publisher, inference or viewer) and may
/// carry model patterns (<see cref="ModelsClaim"/>, one claim per pattern or space-separated).</remarks>
public sealed class JwtAuthOptions
{
    /// <summary>OpenID Connect authority: signing keys come from its discovery document.</summary>
    public string? Authority { get; set; }

    /// <summary>The required <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The required <c>aud</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>Signing keys: a PEM public key (RSA or EC), or a base64 symmetric key (HMAC, at least 32 bytes).</summary>
    public List<string> SigningKeys { get; set; } = [];

    public string RoleClaim { get; set; } = "maas_role";

    public string ModelsClaim { get; set; } = "maas_models";

    /// <summary>The claim shown as the caller's name (falls back to <c>sub</c>).</summary>
    public string NameClaim { get; set; } = "name";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || SigningKeys.Count > 0;
}
