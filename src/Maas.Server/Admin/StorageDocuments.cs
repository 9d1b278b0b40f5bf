namespace Maas.Server.Admin;

/// <summary><c>GET /api/storage/keys</c>: the active storage key and blob counts per key.</summary>
public sealed record StorageKeysResponse(string? ActiveKeyId, IReadOnlyList<StorageKeyCount> Keys);

/// <summary>Blobs encrypted with one key (null: stored plain).</summary>
public sealed record StorageKeyCount(string? KeyId, int Blobs);
