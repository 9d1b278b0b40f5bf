using System.Globalization;
using System.Threading.RateLimiting;
using Maas.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Maas.Server.Security.Limits;

/// <summary>Requests per second per API key (anonymous callers: per remote address) with ASP.NET Core's rate limiting
/// middleware, and the token quotas of generation endpoints.</summary>
/// <remarks>
/// The limiter runs after authentication, so a key's own limit (its <see cref="MaasClaims.RequestsPerSecond"/> claim)
/// applies; without one, <c>Maas:Limits:RequestsPerSecond</c> (0 = no limit). Health, readiness and metrics are never
/// limited, so probes keep working while a client is throttled. A refusal is 429 with <c>Retry-After</c> in the
/// protocol's own error shape; on gRPC it is <c>RESOURCE_EXHAUSTED</c> with <c>grpc-retry-pushback-ms</c>.
/// </remarks>
internal static class RateLimits
{
    public static IServiceCollection AddMaasRateLimits(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new LimitsClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<TokenQuotas>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ServerLimitsOptions>, LimitsClock>((o, limits, clock) =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (string, double)>(context =>
            {
                if (IsExempt(context.Request.Path))
                {
                    return RateLimitPartition.GetNoLimiter((string.Empty, 0d));
                }

                var caller = CallerLimits.Of(context, limits.Value);
                return caller.RequestsPerSecond <= 0
                    ? RateLimitPartition.GetNoLimiter((string.Empty, 0d))
                    : RateLimitPartition.Get((caller.Partition, caller.RequestsPerSecond), key => new ClockTokenBucketLimiter(key.Item2, clock.Time));
            });
            o.OnRejected = (rejected, cancellationToken) => RejectAsync(rejected.HttpContext, rejected.Lease);
        });
        return services;
    }

    /// <summary>Adds the limiter to the pipeline; call after authentication.</summary>
    public static IApplicationBuilder UseMaasRateLimits(this IApplicationBuilder app) => app.UseRateLimiter();

    private static bool IsExempt(PathString path) =>
        path.StartsWithSegments("/v2/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/grpc.health.v1.Health");

    private static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(1);
        const string Message = "Rate limit exceeded: too many requests per second for this key.";
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A trailers-only gRPC response: HTTP 200, the status in the headers.
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = ((int)global::Grpc.Core.StatusCode.ResourceExhausted).ToString(CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = Uri.EscapeDataString(Message);
            response.Headers["grpc-retry-pushback-ms"] = ((long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
            response.Headers.RetryAfter = RetryAfterFeature.Seconds(retryAfter);
            return;
        }

        RetryAfterFeature.Set(context, retryAfter);
        await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status429TooManyRequests, Message).ConfigureAwait(false);
    }
}
