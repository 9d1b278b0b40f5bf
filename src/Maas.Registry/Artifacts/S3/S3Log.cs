using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts.S3;

/// <summary>The S3 artifact store's log messages; event ids 6100-6199. Credentials are never logged.</summary>
internal static partial class S3Log
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information,
        Message = "S3 artifact store: bucket {Bucket}, prefix '{Prefix}', endpoint {Endpoint}, path-style {PathStyle}, credentials from {CredentialSource}")]
    public static partial void Configured(ILogger logger, string bucket, string prefix, string endpoint, bool pathStyle, string credentialSource);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Uploaded {Key} ({Bytes} bytes) in {Parts} parts")]
    public static partial void UploadedMultipart(ILogger logger, string key, long bytes, int parts);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning,
        Message = "Could not abort multipart upload {UploadId} of {Key}; its parts stay (invisible, but billed) until a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them")]
    public static partial void AbortFailed(ILogger logger, Exception exception, string key, string uploadId);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Aborted multipart upload {UploadId} of {Key}, left by an earlier process")]
    public static partial void StaleUploadAborted(ILogger logger, string key, string uploadId);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Information,
        Message = "The S3 server does not list multipart uploads ({ErrorCode}); stale uploads of other replicas are left to a bucket lifecycle rule")]
    public static partial void ListUploadsUnsupported(ILogger logger, string errorCode);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Error, Message = "Upload of {Key} failed verification: {Reason}; the object was deleted")]
    public static partial void VerificationFailed(ILogger logger, string key, string reason);
}
