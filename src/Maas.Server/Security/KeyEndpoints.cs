using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Serialization;
using Maas.Registry.Abstractions;
using Maas.Server.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Security;

/// <summary>Keys (<c>/api/keys</c>) and the audit log (<c>/api/audit</c>) in the admin API; admin only.</summary>
internal static class KeyEndpoints
{
    public static RouteGroupBuilder MapKeysAndAudit(this RouteGroupBuilder api)
    {
        api.MapPost("/keys", async (HttpContext context, KeyService keys, CancellationToken ct) =>
            {
                CreateKeyRequest body;
                try
                {
                    body = await JsonSerializer.DeserializeAsync<CreateKeyRequest>(context.Request.Body, MaasJson.Options, ct).ConfigureAwait(false)
                        ?? throw MaasException.InvalidArgument("The body must be a JSON object.");
                }
                catch (JsonException ex)
                {
                    throw MaasException.InvalidArgument($"Malformed JSON: {ex.Message}");
                }

                var created = await keys.CreateAsync(body, CallerAccess.Of(context).Actor, ct).ConfigureAwait(false);
                context.Response.Headers.CacheControl = "no-store";
                return AdminEndpoints.Json(created, StatusCodes.Status201Created);
            })
            .RequireAction(ModelAction.Administer)
            .Accepts<CreateKeyRequest>("application/json")
            .Produces<KeyInfo>(StatusCodes.Status201Created)
            .WithSummary("Create an API key (name, role, models, expires_at, requests_per_second, tokens_per_minute); the answer's 'key' is shown only once");

        api.MapGet("/keys", async (KeyService keys, CancellationToken ct) =>
                AdminEndpoints.Json(new KeyListResponse(await keys.ListAsync(ct).ConfigureAwait(false))))
            .RequireAction(ModelAction.Administer)
            .Produces<KeyListResponse>()
            .WithSummary("List API keys (never their secrets)");

        api.MapDelete("/keys/{id}", async (string id, HttpContext context, KeyService keys, CancellationToken ct) =>
                AdminEndpoints.Json(await keys.RevokeAsync(id, CallerAccess.Of(context).Actor, ct).ConfigureAwait(false)))
            .RequireAction(ModelAction.Administer)
            .Produces<KeyInfo>()
            .WithSummary("Revoke an API key; it is refused from the next request on");

        api.MapGet("/audit", async (string? model, string? actor, string? action, string? since, int? limit, IAuditTrail audit, CancellationToken ct) =>
            {
                DateTimeOffset? from = null;
                if (!string.IsNullOrEmpty(since))
                {
                    from = DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                        ? parsed
                        : throw MaasException.InvalidArgument($"'since' must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z; got '{since}'.");
                }

                var query = new AuditQuery(NullIfEmpty(model), NullIfEmpty(actor), NullIfEmpty(action), from, limit ?? 100);
                return AdminEndpoints.Json(new AuditResponse(await audit.QueryAsync(query, ct).ConfigureAwait(false)));
            })
            .RequireAction(ModelAction.Administer)
            .Produces<AuditResponse>()
            .WithSummary("Read the audit log, newest first (filters: model, actor (name or name#id), action, since; limit)");
        return api;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
