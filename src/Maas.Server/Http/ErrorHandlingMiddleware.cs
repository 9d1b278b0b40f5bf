using System.Text.Json;
using Maas.Core.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Maas.Server.Http;

/// <summary>Turns every failure into the error shape of the protocol the request used, with the right status.</summary>
/// <remarks>
/// The status comes from <see cref="ErrorMapping"/> (the table gRPC uses too); the body from the endpoint's
/// <see cref="ErrorShape"/>: the admin API answers RFC 9457 problem details, OpenAI's routes <c>{"error": {...}}</c>,
/// the Open Inference Protocol and predict routes <c>{"error": "..."}</c>. Unexpected exceptions become a 500 whose
/// body says nothing about the server's internals; the detail goes to the log.
/// </remarks>
internal sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; its work was cancelled with it and there is nobody to answer.
            context.Response.StatusCode = 499;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            var (status, message) = Describe(ex);
            Log(logger, context.Request, status, message, ex);

            await WriteAsync(context, status, message).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A caller's mistake (4xx) or an expected refusal (503/504 from a known <see cref="MaasException"/>) is one line
    /// without a stack trace; only a failure nobody expected carries one.
    /// </summary>
    /// <remarks>429 goes to Debug: under overload there is one per rejected request, and the metrics count them.</remarks>
    internal static void Log(ILogger logger, HttpRequest request, int status, string message, Exception ex)
    {
        if (status >= 500 && ex is not MaasException { Kind: not MaasErrorKind.Internal })
        {
            LogUnhandled(logger, request.Method, request.Path, ex);
        }
        else if (status >= 500)
        {
            LogRefused(logger, request.Method, request.Path, status, message);
        }
        else if (status == StatusCodes.Status429TooManyRequests)
        {
            LogRejected(logger, request.Method, request.Path, status, message);
        }
        else
        {
            LogUserError(logger, request.Method, request.Path, status, message);
        }
    }

    internal static (int Status, string Message) Describe(Exception ex) => ex switch
    {
        MaasException maas => (ErrorMapping.HttpStatus(maas.Kind), PathRedaction.Redact(maas.Message)),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            (StatusCodes.Status413PayloadTooLarge, "The request body is larger than the server's limit."),
        BadHttpRequestException bad => (bad.StatusCode, bad.InnerException is JsonException json ? $"Malformed JSON: {json.Message}" : bad.Message),
        JsonException json => (StatusCodes.Status400BadRequest, $"Malformed JSON: {json.Message}"),
        _ => Unexpected(ex),
    };

    private static (int Status, string Message) Unexpected(Exception ex)
    {
        var (kind, message) = ErrorMapping.Classify(ex);
        return (ErrorMapping.HttpStatus(kind), message);
    }

    internal static async Task WriteAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            // A rate limit or token quota knows when the caller may come back; a full queue says "soon".
            response.Headers.RetryAfter = context.Features.Get<RetryAfterFeature>() is { } retry ? RetryAfterFeature.Seconds(retry.Delay) : "1";
        }

        if (status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        var shape = ErrorShape.For(context);
        if (shape == ErrorShape.Problem)
        {
            await JsonBody.SendAsync(response, new ProblemBody(
                $"https://httpstatuses.io/{status}", ReasonPhrases.GetReasonPhrase(status), status, message),
                ServerJson.Errors.ProblemBody, CancellationToken.None, "application/problem+json").ConfigureAwait(false);
        }
        else if (shape == ErrorShape.OpenAi)
        {
            var type = status switch
            {
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                429 => "rate_limit_error",
                >= 500 => "server_error",
                _ => "invalid_request_error",
            };
            await JsonBody.SendAsync(response, new OpenAiErrorBody(new OpenAiError(message, type, null, null)),
                ServerJson.Errors.OpenAiErrorBody, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await JsonBody.SendAsync(response, new V2ErrorBody(message), ServerJson.Errors.V2ErrorBody, CancellationToken.None).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "{Method} {Path} answered {Status}: {Reason}")]
    private static partial void LogUserError(ILogger logger, string method, PathString path, int status, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "{Method} {Path} answered {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, PathString path, int status, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "{Method} {Path} answered {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, int status, string reason);
}
