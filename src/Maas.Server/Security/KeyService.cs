using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;

namespace Maas.Server.Security;

/// <summary>Creates, lists and revokes API keys: validation, secret generation and cache eviction around the store.</summary>
internal sealed class KeyService(IApiKeyStore store, ApiKeyValidator validator, TimeProvider time)
{
    public const int MaxPatterns = 64;

    /// <summary>Creates a key; the answer carries the full key, which is never shown again.</summary>
    public async Task<KeyInfo> CreateAsync(CreateKeyRequest request, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Name?.Trim();
        if (!ModelNames.IsValid(name))
        {
            throw MaasException.InvalidArgument($"A key needs a 'name': {ModelNames.Rule}");
        }

        if (!MaasRoles.IsValid(request.Role))
        {
            throw MaasException.InvalidArgument($"A key needs a 'role': one of {string.Join(", ", MaasRoles.All)}.");
        }

        var patterns = (request.Models ?? []).Select(p => p.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (patterns.Count > MaxPatterns || patterns.Any(p => !ModelPattern.IsValid(p)))
        {
            throw MaasException.InvalidArgument($"'models' takes at most {MaxPatterns} patterns, each {ModelPattern.Rule}.");
        }

        if (request.Role == MaasRoles.Admin && patterns.Count > 0)
        {
            throw MaasException.InvalidArgument("An admin key covers every model; give no 'models', or use the publisher role.");
        }

        var now = time.GetUtcNow();
        if (request.ExpiresAt is { } expires && expires <= now)
        {
            throw MaasException.InvalidArgument("'expires_at' is in the past.");
        }

        if (request.RequestsPerSecond is { } rps && (!double.IsFinite(rps) || rps <= 0))
        {
            throw MaasException.InvalidArgument("'requests_per_second' must be a positive number.");
        }

        if (request.TokensPerMinute is <= 0)
        {
            throw MaasException.InvalidArgument("'tokens_per_minute' must be a positive integer.");
        }

        var (id, fullKey, salt, hash) = ApiKeySecret.Generate();
        var record = new ApiKeyRecord(id, name!, request.Role!, patterns, salt, hash, ApiKeySecret.DisplayPrefix(id), now, actor)
        {
            ExpiresAt = request.ExpiresAt,
            RequestsPerSecond = request.RequestsPerSecond,
            TokensPerMinute = request.TokensPerMinute,
        };
        await store.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        return KeyInfo.From(record, now) with { Key = fullKey };
    }

    public async Task<IReadOnlyList<KeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return [.. (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Select(k => KeyInfo.From(k, now))];
    }

    /// <summary>Revokes the key; this server refuses it from the next request on.</summary>
    public async Task<KeyInfo> RevokeAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var key = await store.RevokeAsync(id, actor, cancellationToken).ConfigureAwait(false);
        validator.Evict(id);
        return KeyInfo.From(key, time.GetUtcNow());
    }
}
