using System.Globalization;
using System.Security.Claims;
using Maas.Server.Http;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Security.Limits;

/// <summary>Who a request is charged to and what that caller may use: an API key by its id (its own limits from its
/// claims, else the configured defaults), an anonymous caller by its remote address (the defaults).</summary>
internal readonly record struct CallerLimits(string Partition, double RequestsPerSecond, long TokensPerMinute)
{
    public static CallerLimits Of(HttpContext context, ServerLimitsOptions defaults)
    {
        var user = context.User;
        var keyId = user.FindFirst(MaasClaims.KeyId)?.Value;
        var partition = keyId is { Length: > 0 }
            ? "key:" + keyId
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return new CallerLimits(
            partition,
            Number(user, MaasClaims.RequestsPerSecond) ?? defaults.RequestsPerSecond,
            Number(user, MaasClaims.TokensPerMinute) is { } tpm ? (long)tpm : defaults.TokensPerMinute);
    }

    private static double? Number(ClaimsPrincipal user, string type) =>
        user.FindFirst(type)?.Value is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value >= 0 && double.IsFinite(value)
            ? value
            : null;
}
