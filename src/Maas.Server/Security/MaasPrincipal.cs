using System.Globalization;
using System.Security.Claims;
using Maas.Registry.Abstractions;

namespace Maas.Server.Security;

/// <summary>Builds the principals the authentication handlers put on <c>HttpContext.User</c>, with <see cref="MaasClaims"/>.</summary>
internal static class MaasPrincipal
{
    /// <summary>Authentication type of principals from an API key.</summary>
    public const string ApiKeyType = "maas-api-key";

    /// <summary>Authentication type of principals from a JWT.</summary>
    public const string JwtType = "maas-jwt";

    /// <summary>Authentication type of the caller that loopback (auto) or <c>--auth none</c> lets in without credentials.</summary>
    public const string AnonymousType = "maas-anonymous";

    public const string AnonymousActor = "anonymous";

    public static ClaimsPrincipal FromKey(ApiKeyRecord key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var claims = new List<Claim>
        {
            new(MaasClaims.KeyId, key.Id),
            new(MaasClaims.Name, key.Name),
            new(MaasClaims.Role, key.Role),
        };
        claims.AddRange(key.ModelPatterns.Select(p => new Claim(MaasClaims.ModelPattern, p)));
        if (key.RequestsPerSecond is { } rps)
        {
            claims.Add(new Claim(MaasClaims.RequestsPerSecond, rps.ToString("R", CultureInfo.InvariantCulture)));
        }

        if (key.TokensPerMinute is { } tpm)
        {
            claims.Add(new Claim(MaasClaims.TokensPerMinute, tpm.ToString(CultureInfo.InvariantCulture)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyType, MaasClaims.Name, MaasClaims.Role));
    }

    public static ClaimsPrincipal FromToken(string subject, string name, string role, IEnumerable<string> patterns)
    {
        var claims = new List<Claim>
        {
            new(MaasClaims.KeyId, "jwt:" + subject),
            new(MaasClaims.Name, name),
            new(MaasClaims.Role, role),
        };
        claims.AddRange(patterns.Select(p => new Claim(MaasClaims.ModelPattern, p)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, JwtType, MaasClaims.Name, MaasClaims.Role));
    }

    /// <summary>The anonymous admin of loopback and <c>--auth none</c>; it has no key id, so rate limits treat it as one caller.</summary>
    public static ClaimsPrincipal Anonymous() => new(new ClaimsIdentity(
        [new Claim(MaasClaims.Name, AnonymousActor), new Claim(MaasClaims.Role, MaasRoles.Admin)], AnonymousType, MaasClaims.Name, MaasClaims.Role));

    /// <summary>The audit actor: <c>name#keyid</c> for keys and tokens, <c>anonymous</c> otherwise.</summary>
    public static string Actor(ClaimsPrincipal? user)
    {
        var name = user?.FindFirst(MaasClaims.Name)?.Value;
        var id = user?.FindFirst(MaasClaims.KeyId)?.Value;
        return id is null ? name ?? AnonymousActor : $"{name}#{id}";
    }
}
