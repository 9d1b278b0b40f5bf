using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Maas.Server.Http;

/// <summary>Applies the body-size limit that fits the route: uploads under <c>/api</c> may be large, inference bodies may not.</summary>
internal sealed class RequestLimitsMiddleware(RequestDelegate next, IOptions<ServerLimitsOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = context.Request.Path.StartsWithSegments("/api")
                ? options.Value.MaxUploadBytes
                : options.Value.MaxRequestBodyBytes;
        }

        return next(context);
    }
}
