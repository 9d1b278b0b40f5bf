using Microsoft.AspNetCore.Http;

namespace Maas.Server.Metrics;

/// <summary>Counts and times every request to an endpoint marked with <see cref="InferenceProtocol"/>.</summary>
/// <remarks>
/// Runs outside the error middleware, so it sees the status the client gets. Endpoints fill in the model version
/// through <see cref="InferenceRequestFeature.SetTarget"/>; the rest comes from the endpoint and the status.
/// </remarks>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, ServerMetrics metrics, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<InferenceProtocol>() is not { } protocol)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var feature = new InferenceRequestFeature(protocol.Name);
        context.Features.Set(feature);
        var started = time.GetTimestamp();
        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            // Escaped the error middleware: the response had started, so the status code no longer tells.
            failed = true;
            throw;
        }
        finally
        {
            // A client that closes right after a complete response may trip RequestAborted; only a failure with
            // it set counts as cancelled (the error middleware answers a cancelled request with 499).
            var outcome = failed
                ? RequestOutcome.FromFailure(context.RequestAborted.IsCancellationRequested)
                : RequestOutcome.From(context.Response.StatusCode);
            metrics.Request(feature, outcome, time.GetElapsedTime(started));
        }
    }
}
