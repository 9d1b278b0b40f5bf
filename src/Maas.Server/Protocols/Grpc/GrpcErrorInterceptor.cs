using Grpc.Core;
using Grpc.Core.Interceptors;
using Maas.Core.Errors;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Maas.Server.Protocols.Grpc;

/// <summary>The gRPC counterpart of the HTTP error middleware and request metrics: every failure becomes an
/// <see cref="RpcException"/> whose status comes from <see cref="ErrorMapping"/>, and <c>ModelInfer</c> calls are
/// counted in <c>maas.server.requests</c> with protocol <c>grpc</c>.</summary>
internal sealed partial class GrpcErrorInterceptor(ILogger<GrpcErrorInterceptor> logger, ServerMetrics metrics, TimeProvider time) : Interceptor
{
    public const string Protocol = "grpc";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        InferenceRequestFeature? feature = null;
        if (context.Method.EndsWith("/ModelInfer", StringComparison.Ordinal))
        {
            feature = new InferenceRequestFeature(Protocol);
            context.GetHttpContext().Features.Set(feature);
        }

        var started = time.GetTimestamp();
        var status = StatusCodes.Status200OK;
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            status = ex.StatusCode == StatusCode.Cancelled ? RequestOutcome.ClientClosedRequest : StatusCodes.Status500InternalServerError;
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            status = RequestOutcome.ClientClosedRequest;
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
        }
        catch (Exception ex)
        {
            var (kind, message) = ErrorMapping.Classify(ex);
            status = ErrorMapping.HttpStatus(kind);
            Log(context.Method, kind, message, ex);
            throw new RpcException(new Status(ErrorMapping.GrpcStatus(kind), message));
        }
        finally
        {
            if (feature is not null)
            {
                metrics.Request(feature, RequestOutcome.From(status), time.GetElapsedTime(started));
            }
        }
    }

    private void Log(string method, MaasErrorKind kind, string message, Exception ex)
    {
        var code = ErrorMapping.GrpcStatus(kind);
        if (ex is not MaasException)
        {
            LogUnhandled(logger, method, ex);
        }
        else if (kind is MaasErrorKind.TooManyRequests)
        {
            LogRejected(logger, method, code, message);
        }
        else if (ErrorMapping.HttpStatus(kind) >= 500)
        {
            LogRefused(logger, method, code, message);
        }
        else
        {
            LogUserError(logger, method, code, message);
        }
    }

    [LoggerMessage(EventId = 1080, Level = LogLevel.Error, Message = "Unhandled error in gRPC {Method}")]
    private static partial void LogUnhandled(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1081, Level = LogLevel.Information, Message = "gRPC {Method} answered {Code}: {Reason}")]
    private static partial void LogUserError(ILogger logger, string method, StatusCode code, string reason);

    [LoggerMessage(EventId = 1082, Level = LogLevel.Debug, Message = "gRPC {Method} answered {Code}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, StatusCode code, string reason);

    [LoggerMessage(EventId = 1083, Level = LogLevel.Warning, Message = "gRPC {Method} answered {Code}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, StatusCode code, string reason);
}
