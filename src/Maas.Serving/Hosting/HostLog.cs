using Microsoft.Extensions.Logging;

namespace Maas.Serving.Hosting;

/// <summary>The model host's log messages (event ids 3001-3099).</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Loading {Key} on engine {Engine}")]
    public static partial void Loading(ILogger logger, string key, string engine);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "{Key} ready in {Milliseconds:F0} ms ({MemoryBytes} bytes)")]
    public static partial void Ready(ILogger logger, string key, double milliseconds, long memoryBytes);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "{Key} failed to load: {Reason}; next try after {RetryAt:u}")]
    public static partial void Failed(ILogger logger, string key, string reason, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "{Key} unloaded ({Reason})")]
    public static partial void Unloaded(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "{Key} took its new deployment settings without reloading")]
    public static partial void SettingsApplied(ILogger logger, string key);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "{Key} loads again with its new deployment settings; the running instance serves until it is ready")]
    public static partial void Reloading(ILogger logger, string key);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "{Key} unloaded to make room for {For} (memory budget)")]
    public static partial void Evicted(ILogger logger, string key, string @for);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Unloading {Key} failed")]
    public static partial void UnloadFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "The idle check failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
