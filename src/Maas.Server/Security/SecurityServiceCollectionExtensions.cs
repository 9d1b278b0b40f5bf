using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Maas.Server.Security;

/// <summary>Registers authentication (API keys, optional JWT), the gate, key management and the admin-key bootstrap.</summary>
internal static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddMaasSecurity(this IServiceCollection services, IConfiguration auth)
    {
        services.AddOptions<AuthOptions>().Bind(auth)
            .Validate(o => o.KeyCacheSeconds >= 0 && o.FailureAuditIntervalSeconds >= 0, "Maas:Auth times must not be negative.")
            .Validate(o => Enum.IsDefined(o.Mode), "Maas:Auth:Mode must be auto, required or none.")
            .ValidateOnStart();
        services.AddSingleton<AuthState>();
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<AuthFailureRecorder>();
        services.AddSingleton<KeyService>();
        services.AddSingleton<AdminKeyBootstrap>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminKeyBootstrap>());

        var jwt = auth.GetSection("Jwt").Get<JwtAuthOptions>() ?? new JwtAuthOptions();
        var builder = services.AddAuthentication(AuthSchemes.Maas)
            .AddPolicyScheme(AuthSchemes.Maas, "Maas API key or JWT", o => o.ForwardDefaultSelector = context =>
            {
                if (!jwt.Enabled || context.Request.Headers.ContainsKey(AuthSchemes.ApiKeyHeader))
                {
                    return AuthSchemes.ApiKey;
                }

                var bearer = ApiKeyAuthenticationHandler.BearerToken(context.Request);
                return bearer is null || bearer.StartsWith(ApiKeySecret.Prefix, StringComparison.Ordinal) ? AuthSchemes.ApiKey : AuthSchemes.Jwt;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null);
        if (jwt.Enabled)
        {
            builder.AddJwtBearer(AuthSchemes.Jwt, o =>
            {
                o.MapInboundClaims = false;
                o.Authority = string.IsNullOrWhiteSpace(jwt.Authority) ? null : jwt.Authority;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Issuer),
                    ValidIssuer = jwt.Issuer,
                    ValidateAudience = !string.IsNullOrWhiteSpace(jwt.Audience),
                    ValidAudience = jwt.Audience,
                    IssuerSigningKeys = JwtClaimsMapper.SigningKeys(jwt),
                    ValidateIssuerSigningKey = true,
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                o.Events = new JwtBearerEvents { OnTokenValidated = context => JwtClaimsMapper.OnTokenValidated(context, jwt) };
            });
        }

        return services;
    }

    /// <summary>The authentication gate; after routing (endpoint metadata) and inside the error middleware.</summary>
    public static IApplicationBuilder UseMaasAuthentication(this IApplicationBuilder app) => app.UseMiddleware<AuthenticationGate>();
}
