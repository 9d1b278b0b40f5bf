using Microsoft.Extensions.Logging;

namespace Maas.Server.Security;

/// <summary>Authentication and authorization log messages; event ids 5000-5099.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning,
        Message = "AUTHENTICATION IS OFF (--auth none): every caller is admin and can push, delete and call every model. Use this only on a trusted machine.")]
    public static partial void AuthDisabled(ILogger logger);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Authentication required: created the first admin key and wrote it to {Path} (readable by its owner only)")]
    public static partial void AdminKeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Authentication required; the admin key created at first start is in {Path}")]
    public static partial void AdminKeyExists(ILogger logger, string path);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Listening on loopback only: requests without credentials act as admin; presented keys are checked")]
    public static partial void LoopbackAnonymous(ILogger logger);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Authentication failed for {Method} {Path} from {Address}: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string method, string path, string address, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Recording the last use of API key {KeyId} failed")]
    public static partial void TouchFailed(ILogger logger, Exception exception, string keyId);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Writing the audit record of an authentication failure failed")]
    public static partial void FailureAuditFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "JWT bearer tokens accepted (issuer {Issuer}, audience {Audience})")]
    public static partial void JwtEnabled(ILogger logger, string issuer, string audience);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Authentication required; active admin keys exist (none written to {Path})")]
    public static partial void AdminKeyPresent(ILogger logger, string path);
}
