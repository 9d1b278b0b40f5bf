using Grpc.Core;
using Maas.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Http;

/// <summary>The one table from the error vocabulary to each transport's status: HTTP for every REST protocol (v2,
/// OpenAI, predict, admin; only their body shapes differ) and gRPC status codes.</summary>
internal static class ErrorMapping
{
    /// <summary>The HTTP status of <paramref name="kind"/>.</summary>
    public static int HttpStatus(MaasErrorKind kind) => kind switch
    {
        MaasErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
        MaasErrorKind.NotFound => StatusCodes.Status404NotFound,
        MaasErrorKind.Conflict => StatusCodes.Status409Conflict,
        MaasErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        MaasErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        MaasErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        MaasErrorKind.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        MaasErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        MaasErrorKind.PermissionDenied => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The gRPC status code of <paramref name="kind"/>.</summary>
    /// <remarks>Size limits and full queues are both <see cref="StatusCode.ResourceExhausted"/>, as gRPC itself
    /// reports an oversized message; a state conflict is <see cref="StatusCode.FailedPrecondition"/>.</remarks>
    public static StatusCode GrpcStatus(MaasErrorKind kind) => kind switch
    {
        MaasErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        MaasErrorKind.NotFound => StatusCode.NotFound,
        MaasErrorKind.Conflict => StatusCode.FailedPrecondition,
        MaasErrorKind.PayloadTooLarge => StatusCode.ResourceExhausted,
        MaasErrorKind.TooManyRequests => StatusCode.ResourceExhausted,
        MaasErrorKind.Unavailable => StatusCode.Unavailable,
        MaasErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        MaasErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        MaasErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    };

    /// <summary>The kind and client-safe message of any failure: a <see cref="MaasException"/> says both; anything
    /// else is <see cref="MaasErrorKind.Internal"/> with a message that reveals nothing of the server.</summary>
    public static (MaasErrorKind Kind, string Message) Classify(Exception exception) => exception switch
    {
        MaasException maas => (maas.Kind, PathRedaction.Redact(maas.Message)),

        // System.Text.Json checks UTF-8 only when a string is read (GetString): bad bytes in a body are the client's.
        System.Text.DecoderFallbackException or InvalidOperationException { InnerException: System.Text.DecoderFallbackException } =>
            (MaasErrorKind.InvalidArgument, "Malformed JSON: a string is not valid UTF-8."),
        _ => (MaasErrorKind.Internal, "Internal server error."),
    };
}
