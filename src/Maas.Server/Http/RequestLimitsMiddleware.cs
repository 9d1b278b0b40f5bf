using System.Globalization;
using Maas.Core.Errors;
using Maas.Server.Security.Limits;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Maas.Server.Http;

/// <summary>Applies the limits that fit the route: uploads under <c>/api</c> may be large and slow, inference bodies
/// may not; every request ends by its time limit (504).</summary>
/// <remarks>
/// The time limit cancels <see cref="HttpContext.RequestAborted"/> for the handlers below, which already stop their
/// work (engines included) when it fires; the original token is put back on the way out, so the error middleware
/// tells a timeout (504) from a client that went away (499).
/// </remarks>
internal sealed class RequestLimitsMiddleware(RequestDelegate next, IOptions<ServerLimitsOptions> options, LimitsClock clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        var admin = context.Request.Path.StartsWithSegments("/api");
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = admin ? limits.MaxUploadBytes : limits.MaxRequestBodyBytes;
        }

        var seconds = admin ? limits.AdminRequestTimeoutSeconds : limits.RequestTimeoutSeconds;
        if (seconds <= 0)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var original = context.RequestAborted;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds), clock.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(original, timeout.Token);
        context.RequestAborted = linked.Token;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !original.IsCancellationRequested)
        {
            throw new MaasException(MaasErrorKind.DeadlineExceeded, string.Create(CultureInfo.InvariantCulture,
                $"The request took longer than this server's limit of {seconds} s."));
        }
        finally
        {
            context.RequestAborted = original;
        }
    }
}
