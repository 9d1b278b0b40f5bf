using Maas.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Http;

/// <summary>HTTP status codes for the error vocabulary.</summary>
internal static class ErrorStatus
{
    public static int For(MaasErrorKind kind) => kind switch
    {
        MaasErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
        MaasErrorKind.NotFound => StatusCodes.Status404NotFound,
        MaasErrorKind.Conflict => StatusCodes.Status409Conflict,
        MaasErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        MaasErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        MaasErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        MaasErrorKind.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}
