using Microsoft.Extensions.Logging;

namespace Maas.Registry.Changes;

/// <summary>The change feed's log messages (event ids 6300-6399).</summary>
internal static partial class ChangeFeedLog
{
    [LoggerMessage(EventId = 6300, Level = LogLevel.Information,
        Message = "Following registry changes from id {Position} (poll every {Interval}, notifications {Notifications})")]
    public static partial void Started(ILogger logger, long position, TimeSpan interval, string notifications);

    [LoggerMessage(EventId = 6301, Level = LogLevel.Debug, Message = "Registry change {Id} by another replica: {Kind} on {Model}")]
    public static partial void RemoteChange(ILogger logger, long id, string kind, string model);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Warning, Message = "Reading the registry change feed failed; retrying at the next poll")]
    public static partial void PollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6303, Level = LogLevel.Information, Message = "The registry change feed is readable again; re-reading all {Count} model(s)")]
    public static partial void Resynced(ILogger logger, int count);

    [LoggerMessage(EventId = 6304, Level = LogLevel.Debug, Message = "Pruned {Count} registry change(s) older than {Before}")]
    public static partial void Pruned(ILogger logger, int count, DateTimeOffset before);

    [LoggerMessage(EventId = 6305, Level = LogLevel.Warning, Message = "Pruning the registry change feed failed")]
    public static partial void PruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6306, Level = LogLevel.Warning, Message = "The change notification connection failed; reconnecting in {Delay}")]
    public static partial void ListenFailed(ILogger logger, Exception exception, TimeSpan delay);
}
