using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Maas.Server.Security;

/// <summary>Turns a validated JWT into a Maas principal: role and model patterns from the configured claims.</summary>
internal static class JwtClaimsMapper
{
    public static Task OnTokenValidated(TokenValidatedContext context, JwtAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var token = context.Principal;
        var subject = token?.FindFirst("sub")?.Value ?? token?.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        var role = token?.FindAll(options.RoleClaim).Select(c => c.Value).FirstOrDefault(MaasRoles.IsValid);
        if (subject is null || role is null)
        {
            context.Fail($"the token needs 'sub' and a '{options.RoleClaim}' claim of {string.Join(", ", MaasRoles.All)}");
            return Task.CompletedTask;
        }

        var patterns = token!.FindAll(options.ModelsClaim)
            .SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        if (patterns.FirstOrDefault(p => !ModelPattern.IsValid(p)) is { } bad)
        {
            context.Fail($"the token's model pattern '{bad}' is not {ModelPattern.Rule}");
            return Task.CompletedTask;
        }

        var name = token.FindFirst(options.NameClaim)?.Value ?? subject;
        context.Principal = MaasPrincipal.FromToken(subject, name, role, patterns);
        return Task.CompletedTask;
    }

    /// <summary>The configured signing keys: PEM public keys (RSA, EC) or base64 symmetric keys.</summary>
    public static IReadOnlyList<SecurityKey> SigningKeys(JwtAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new List<SecurityKey>();
        foreach (var text in options.SigningKeys.Where(k => !string.IsNullOrWhiteSpace(k)))
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                keys.Add(PemKey(text));
            }
            else
            {
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(text.Trim());
                }
                catch (FormatException ex)
                {
                    throw new InvalidOperationException("Maas:Auth:Jwt:SigningKeys: a key is neither PEM nor base64.", ex);
                }

                if (bytes.Length < 32)
                {
                    throw new InvalidOperationException("Maas:Auth:Jwt:SigningKeys: a symmetric key must be at least 32 bytes.");
                }

                keys.Add(new SymmetricSecurityKey(bytes));
            }
        }

        return keys;
    }

    private static SecurityKey PemKey(string pem)
    {
        if (pem.Contains("EC ", StringComparison.Ordinal) || pem.Contains("EC PRIVATE", StringComparison.Ordinal))
        {
            var ec = System.Security.Cryptography.ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }

        var rsa = System.Security.Cryptography.RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            rsa.Dispose();
            var ec = System.Security.Cryptography.ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
    }
}
