using Microsoft.Extensions.Logging;

namespace Maas.Registry;

/// <summary>The registry's log messages; event ids 1100-1199 belong to Maas.Registry.</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Registry ready: data folder {DataDirectory}, database {DatabaseFile}, artifact store {Store} at {StoreLocation}")]
    public static partial void Ready(ILogger logger, string dataDirectory, string databaseFile, string store, string storeLocation);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Applied registry schema migration {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Pushed {Model}:{Version} ({FileCount} files, {NewBlobs} new blobs) by {Actor}")]
    public static partial void Pushed(ILogger logger, string model, int version, int fileCount, int newBlobs, string actor);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Push to {Model} failed; removed {Deleted} unreferenced blobs it had written")]
    public static partial void PushRolledBack(ILogger logger, Exception exception, string model, int deleted);

    /// <summary>A push the caller got wrong (a 4xx for them): one line, no stack trace, since nothing is broken here.</summary>
    [LoggerMessage(EventId = 1109, Level = LogLevel.Information, Message = "Push to {Model} refused: {Reason} (removed {Deleted} unreferenced blobs it had written)")]
    public static partial void PushRefused(ILogger logger, string model, string reason, int deleted);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Push to {Model} cancelled (removed {Deleted} unreferenced blobs it had written)")]
    public static partial void PushCancelled(ILogger logger, string model, int deleted);

    /// <summary>An audited change; the target is the model, or <c>model:version</c> when the change concerns one version.</summary>
    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "{Actor} {Action} on {Target}: {Detail}")]
    public static partial void Changed(ILogger logger, string actor, string action, string target, string detail);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Recovery removed {TempFiles} temporary files and {Blobs} unreferenced blobs")]
    public static partial void Recovered(ILogger logger, int tempFiles, int blobs);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "Version {Model}:{Version} references file {File} whose blob {Sha256} is missing")]
    public static partial void BlobMissing(ILogger logger, string model, int version, string file, string sha256);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Error, Message = "A ModelChanged handler failed for {Model}")]
    public static partial void ChangeHandlerFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Deleting unreferenced blobs after a change to {Model} failed; recovery will retry at start-up")]
    public static partial void CollectFailed(ILogger logger, Exception exception, string model);
}
