using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Maas.Server.Security;

/// <summary>Authenticates <c>Authorization: Bearer maas_...</c> and <c>x-api-key: maas_...</c> (REST and gRPC metadata
/// alike: gRPC metadata arrives as HTTP/2 headers).</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyValidator validator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var (key, failure) = await validator.ValidateAsync(presented, Context.RequestAborted).ConfigureAwait(false);
        return key is null
            ? AuthenticateResult.Fail(failure!)
            : AuthenticateResult.Success(new AuthenticationTicket(MaasPrincipal.FromKey(key), Scheme.Name));
    }

    /// <summary>The key in <c>x-api-key</c>, else the bearer token; null when neither is present.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers[AuthSchemes.ApiKeyHeader] is [{ Length: > 0 } apiKey])
        {
            return apiKey.Trim();
        }

        return BearerToken(request);
    }

    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers[HeaderNames.Authorization] is not [{ } authorization])
        {
            return null;
        }

        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : authorization.Trim();
    }
}
