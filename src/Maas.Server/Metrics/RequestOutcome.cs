using Microsoft.AspNetCore.Http;

namespace Maas.Server.Metrics;

/// <summary>The <c>outcome</c> tag of request metrics, from the final status code.</summary>
internal static class RequestOutcome
{
    /// <summary>Status the error middleware sets when the client went away (nginx's convention).</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>The outcome of a request that completed with <paramref name="status"/>.</summary>
    public static string From(int status) => status switch
    {
        ClientClosedRequest => "cancelled",
        < 400 => "ok",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status429TooManyRequests => "rejected",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        StatusCodes.Status504GatewayTimeout => "timeout",
        < 500 => "invalid",
        _ => "error",
    };

    /// <summary>The outcome of a request whose handler threw after its response had started.</summary>
    public static string FromFailure(bool aborted) => aborted ? "cancelled" : "error";
}
