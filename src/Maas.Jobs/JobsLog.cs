using Microsoft.Extensions.Logging;

namespace Maas.Jobs;

/// <summary>The job runner's log messages; event ids 4000-4099 belong to Maas.Jobs.</summary>
internal static partial class JobsLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Job {Id} ({Kind}) submitted by {Actor}")]
    public static partial void Submitted(ILogger logger, string id, string kind, string actor);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Job {Id} ({Kind}) started")]
    public static partial void Started(ILogger logger, string id, string kind);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Job {Id} ({Kind}) succeeded: {Summary}")]
    public static partial void Succeeded(ILogger logger, string id, string kind, string summary);

    /// <summary>The handler refused (bad input found while running): one line, since nothing is broken here.</summary>
    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Job {Id} ({Kind}) failed: {Reason}")]
    public static partial void Refused(ILogger logger, string id, string kind, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Job {Id} ({Kind}) failed")]
    public static partial void Failed(ILogger logger, Exception exception, string id, string kind);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Job {Id} ({Kind}) cancelled by {Actor}")]
    public static partial void Cancelled(ILogger logger, string id, string kind, string actor);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Job {Id} ({Kind}) interrupted: {Reason}")]
    public static partial void Interrupted(ILogger logger, string id, string kind, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Job {Id} ({Kind}) left {State} by a stopped server: now {NewState}")]
    public static partial void Recovered(ILogger logger, string id, string kind, string state, string newState);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Storing progress of job {Id} failed; the job goes on")]
    public static partial void ProgressWriteFailed(ILogger logger, Exception exception, string id);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Deleting the job work folder {Path} failed")]
    public static partial void WorkDirectoryDeleteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Job runner ready: {MaxCpuHeavy} CPU-heavy and {MaxOther} other job(s) at a time, kinds {Kinds}, work folder {WorkDirectory}")]
    public static partial void Ready(ILogger logger, int maxCpuHeavy, int maxOther, string kinds, string workDirectory);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "Recording the end of job {Id} failed; start-up recovery will settle it")]
    public static partial void FinishWriteFailed(ILogger logger, Exception exception, string id);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Warning, Message = "Job {Id} ({Kind}): this replica lost its lease (another replica settled it); stopping the handler")]
    public static partial void LeaseLost(ILogger logger, string id, string kind);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "Job heartbeat failed; retrying at the next one")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);
}
