using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Http;

/// <summary>When a refused caller may try again; set by whoever refuses (rate limit, token quota), written as
/// <c>Retry-After</c> by the error response.</summary>
internal sealed record RetryAfterFeature(TimeSpan Delay)
{
    public static void Set(HttpContext context, TimeSpan delay) => context.Features.Set(new RetryAfterFeature(delay));

    /// <summary>Whole seconds, rounded up, at least 1 (<c>Retry-After</c> takes integers).</summary>
    public static string Seconds(TimeSpan delay) =>
        Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
