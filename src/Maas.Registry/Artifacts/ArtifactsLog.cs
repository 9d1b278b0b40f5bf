using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts;

/// <summary>Log messages of artifact storage: encryption, the local cache, key rotation (event ids 6000-6099).</summary>
internal static partial class ArtifactsLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Artifacts are encrypted at rest with AES-256-GCM: active storage key {ActiveKeyId}, {KeyCount} key(s) configured")]
    public static partial void EncryptionOn(ILogger logger, string activeKeyId, int keyCount);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Evicted cached artifact {Sha256} ({Size} bytes); the cache holds {Total} of {Capacity} bytes")]
    public static partial void Evicted(ILogger logger, string sha256, long size, long total, long capacity);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "The artifact cache holds {Total} bytes, over its {Capacity}: the rest is in use by loaded versions")]
    public static partial void OverCapacity(ILogger logger, long total, long capacity);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Cached copy of artifact {Sha256} failed verification ({Reason}); fetching it again from the store")]
    public static partial void CachedCopyBad(ILogger logger, string sha256, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Storage rotation to key {KeyId}: {Rewritten} re-encrypted, {Current} already current, {Gone} gone, of {Total} blobs")]
    public static partial void Rotated(ILogger logger, string keyId, int rewritten, int current, int gone, int total);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "Storage rotation could not re-encrypt artifact {Sha256}: {Reason}")]
    public static partial void RotationFailed(ILogger logger, string sha256, string reason);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Artifact {Sha256} failed verification on load: {Reason}")]
    public static partial void VerificationFailed(ILogger logger, string sha256, string reason);
}
