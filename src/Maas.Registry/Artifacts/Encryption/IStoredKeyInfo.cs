namespace Maas.Registry.Artifacts.Encryption;

/// <summary>Implemented by a codec's reader stream: which storage key the blob it reads was written with.</summary>
internal interface IStoredKeyInfo
{
    /// <summary>The key id in the blob's header, or null for a blob stored plain (written before encryption was on).</summary>
    ValueTask<string?> ReadKeyIdAsync(CancellationToken cancellationToken = default);
}
