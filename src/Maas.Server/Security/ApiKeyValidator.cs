using System.Collections.Concurrent;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Server.Security;

/// <summary>Checks presented API keys against the store, trusting a verified key for a moment
/// (<see cref="AuthOptions.KeyCacheSeconds"/>) so a busy key does not cost a database read per request.</summary>
/// <remarks>Revoking through this server evicts the key at once; last-used times are written at most once a minute per key.</remarks>
internal sealed class ApiKeyValidator(IApiKeyStore store, IOptions<AuthOptions> options, TimeProvider time, ILogger<ApiKeyValidator> logger)
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);
    private const int MaxCached = 10_000;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Key, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _touched = new(StringComparer.Ordinal);

    /// <summary>The active key the text is for, or why not.</summary>
    public async Task<(ApiKeyRecord? Key, string? Failure)> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        if (!ApiKeySecret.TryParse(presented, out var id, out var secret))
        {
            return (null, "malformed API key");
        }

        var now = time.GetUtcNow();
        ApiKeyRecord? key;
        if (_cache.TryGetValue(id, out var cached) && now - cached.ReadAt < TimeSpan.FromSeconds(options.Value.KeyCacheSeconds))
        {
            key = cached.Key;
        }
        else
        {
            key = await store.FindAsync(id, cancellationToken).ConfigureAwait(false);
            if (key is not null && options.Value.KeyCacheSeconds > 0)
            {
                if (_cache.Count >= MaxCached)
                {
                    _cache.Clear();
                }

                _cache[id] = (key, now);
            }
        }

        // The hash is checked before the key's state, so an unknown secret learns nothing about the key.
        if (key is null || !ApiKeySecret.Verify(secret, key.Salt, key.Hash))
        {
            return (null, $"unknown API key {id}");
        }

        if (key.RevokedAt is not null)
        {
            return (null, $"revoked API key {id}");
        }

        if (key.ExpiresAt is { } expires && expires <= now)
        {
            return (null, $"expired API key {id}");
        }

        await TouchAsync(id, now, cancellationToken).ConfigureAwait(false);
        return (key, null);
    }

    /// <summary>Forgets a cached key (after a revocation), so the next request reads it again.</summary>
    public void Evict(string id) => _cache.TryRemove(id, out _);

    private async Task TouchAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_touched.TryGetValue(id, out var last) && now - last < TouchInterval)
        {
            return;
        }

        _touched[id] = now;
        try
        {
            await store.TouchAsync(id, now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A busy database must not fail the request; the next minute tries again.
            SecurityLog.TouchFailed(logger, ex, id);
        }
    }
}
