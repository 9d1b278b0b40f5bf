using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Maas.Core.Serialization;

namespace Maas.Cli.Client;

/// <summary>API keys under <c>/api/keys</c> and the filtered audit log.</summary>
internal sealed partial class MaasApiClient
{
    public async Task<ApiKeyInfo> CreateKeyAsync(
        string name,
        string role,
        IReadOnlyList<string> models,
        DateTimeOffset? expiresAt,
        double? requestsPerSecond,
        int? tokensPerMinute,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["name"] = name,
            ["role"] = role,
            ["models"] = new JsonArray([.. models.Select(m => (JsonNode?)JsonValue.Create(m))]),
            ["expires_at"] = expiresAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["requests_per_second"] = requestsPerSecond,
            ["tokens_per_minute"] = tokensPerMinute,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/keys") { Content = JsonContent.Create(body, options: MaasJson.Options) };
        return await SendForJsonAsync<ApiKeyInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "api/keys");
        return (await SendForJsonAsync<ApiKeyList>(message, cancellationToken).ConfigureAwait(false)).Keys ?? [];
    }

    public async Task<ApiKeyInfo> RevokeKeyAsync(string id, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Delete, "api/keys/" + Uri.EscapeDataString(id));
        return await SendForJsonAsync<ApiKeyInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new List<string>();
        Add(query, "model", filter.Model);
        Add(query, "actor", filter.Actor);
        Add(query, "action", filter.Action);
        Add(query, "since", filter.Since?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Add(query, "limit", filter.Limit?.ToString(CultureInfo.InvariantCulture));
        var path = query.Count == 0 ? "api/audit" : "api/audit?" + string.Join('&', query);
        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        var log = await SendForJsonAsync<AuditLog>(message, cancellationToken).ConfigureAwait(false);
        return log.Entries ?? [];
    }

    private static void Add(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add(name + "=" + Uri.EscapeDataString(value));
        }
    }
}
