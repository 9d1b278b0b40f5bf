using Maas.Server.Security.Limits;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.Server.Http;

/// <summary>Registers <see cref="ServerLimitsOptions"/> (validated at start-up), Kestrel's header and connection
/// limits from it, and the per-key rate limits and token quotas.</summary>
internal static class ServerLimits
{
    public static IServiceCollection AddMaasLimits(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<ServerLimitsOptions>().Bind(section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerLimitsOptions>, ServerLimitsValidator>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerLimitsOptions>>((kestrel, options) =>
        {
            var limits = options.Value;
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
            kestrel.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
            kestrel.Limits.MaxRequestLineSize = limits.MaxRequestLineBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
        });
        services.AddMaasRateLimits();
        return services;
    }
}
