using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Maas.Server.Security;

/// <summary>Authenticates every request and refuses the ones that need credentials and lack valid ones, with 401 in
/// the protocol's own error shape (gRPC: status Unauthenticated) and <c>WWW-Authenticate: Bearer</c>.</summary>
/// <remarks>
/// A presented credential is always checked, even where none is needed. Without one, the request is refused when
/// credentials are required (<see cref="AuthState"/>), and otherwise acts as the anonymous admin. Where credentials are
/// not required, a placeholder that is no Maas key or JWT (OpenAI SDKs insist on sending some api_key) is ignored;
/// a Maas key (<c>maas_...</c>) or JWT is always checked. Endpoints marked
/// <see cref="IAllowAnonymous"/> (health, readiness, API docs) are open either way. Runs after routing, so the
/// endpoint's metadata is known, and inside the error middleware, which writes the REST error bodies.
/// </remarks>
internal sealed class AuthenticationGate(RequestDelegate next, AuthState state, AuthFailureRecorder failures)
{
    public const string UnauthenticatedMessage = "Authentication required: send an API key as 'Authorization: Bearer <key>' or 'x-api-key'.";
    public const string InvalidMessage = "The API key or token is not valid (unknown, revoked or expired).";

    public async Task InvokeAsync(HttpContext context)
    {
        AuditScope.Address = context.Connection.RemoteIpAddress?.ToString();
        if (state.Disabled)
        {
            context.User = MaasPrincipal.Anonymous();
            await next(context).ConfigureAwait(false);
            return;
        }

        var open = context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
        var result = await context.AuthenticateAsync(AuthSchemes.Maas).ConfigureAwait(false);
        if (result.Succeeded)
        {
            context.User = result.Principal;
        }
        else if (open)
        {
            // Health and readiness answer whatever the credentials; nothing behind them needs a caller.
        }
        else if (result.Failure is { } failure && (state.CredentialsRequired || IsMaasCredential(context.Request)))
        {
            await RefuseAsync(context, failure.Message, InvalidMessage).ConfigureAwait(false);
            return;
        }
        else if (state.CredentialsRequired)
        {
            await RefuseAsync(context, "no credentials", UnauthenticatedMessage).ConfigureAwait(false);
            return;
        }
        else
        {
            context.User = MaasPrincipal.Anonymous();
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Whether the presented credential claims to be a Maas key, or a JWT when JWTs are accepted.</summary>
    private bool IsMaasCredential(HttpRequest request) =>
        ApiKeyAuthenticationHandler.PresentedKey(request) is { } presented
        && (presented.StartsWith(ApiKeySecret.Prefix, StringComparison.Ordinal) || (state.JwtEnabled && presented.Count(c => c == '.') == 2));

    private async Task RefuseAsync(HttpContext context, string reason, string message)
    {
        var request = context.Request;
        await failures.RecordAsync(
            "unauthenticated",
            request.Method,
            request.Path.Value ?? "/",
            context.Connection.RemoteIpAddress?.ToString() ?? "-",
            reason,
            context.RequestAborted).ConfigureAwait(false);

        if (request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A trailers-only gRPC response: the status travels in the headers of an empty 200.
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            response.Headers["grpc-status"] = "16";
            response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            return;
        }

        throw MaasException.Unauthenticated(message);
    }
}
