namespace Maas.Registry.Abstractions;

/// <summary>API keys in the registry's database. Creation and revocation are audited in the same transaction.</summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key (Conflict when the id exists).</summary>
    Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default);

    /// <summary>Every key, revoked and expired ones included, newest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The key with this id, or null.</summary>
    Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Marks the key revoked (NotFound when unknown); revoking twice keeps the first time.</summary>
    Task<ApiKeyRecord> RevokeAsync(string id, string actor, CancellationToken cancellationToken = default);

    /// <summary>Records that the key was used (callers throttle: this is a write).</summary>
    Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Whether a key of <paramref name="role"/> that is neither revoked nor expired exists.</summary>
    Task<bool> HasActiveKeyAsync(string role, DateTimeOffset now, CancellationToken cancellationToken = default);
}
