namespace Maas.Registry;

/// <summary>Keys for encrypting artifacts at rest (<c>Maas:Registry:Encryption</c>).</summary>
/// <remarks>
/// Keys are 32 random bytes, base64, by id: <c>Maas:Registry:Encryption:Keys:2026a=BASE64</c>, or lines
/// <c>ID=BASE64</c> in <see cref="KeyFile"/> (readable by its owner only). New blobs are written with
/// <see cref="ActiveKeyId"/> (default: the only key, when there is one); a blob is read with the key its header names,
/// so old keys stay configured until <c>maas keys rotate-storage</c> has re-encrypted everything.
/// </remarks>
public sealed class ArtifactEncryptionOptions
{
    /// <summary>Keys by id (base64 of 32 bytes).</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The key new blobs are encrypted with; required when more than one key is configured.</summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>A file of <c>ID=BASE64</c> lines (mode 0600 on Unix), read at start-up; relative to the data folder.</summary>
    public string? KeyFile { get; set; }

    /// <summary>True when any key source is configured.</summary>
    public bool IsConfigured => Keys.Count > 0 || !string.IsNullOrWhiteSpace(KeyFile);
}
