using System.Security.Claims;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Stands in for authentication in the limit tests: <c>x-test-key</c>, <c>x-test-rps</c> and <c>x-test-tpm</c>
/// headers become the <see cref="MaasClaims"/> an API key would carry.</summary>
internal sealed class TestClaims : IStartupFilter
{
    public const string KeyHeader = "x-test-key";
    public const string RpsHeader = "x-test-rps";
    public const string TpmHeader = "x-test-tpm";

    public static void Register(IServiceCollection services) => services.AddTransient<IStartupFilter, TestClaims>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            var headers = context.Request.Headers;
            if (headers.TryGetValue(KeyHeader, out var key))
            {
                var claims = new List<Claim> { new(MaasClaims.KeyId, key.ToString()) };
                if (headers.TryGetValue(RpsHeader, out var rps))
                {
                    claims.Add(new Claim(MaasClaims.RequestsPerSecond, rps.ToString()));
                }

                if (headers.TryGetValue(TpmHeader, out var tpm))
                {
                    claims.Add(new Claim(MaasClaims.TokensPerMinute, tpm.ToString()));
                }

                context.User = new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
            }

            return following(context);
        });
        next(app);
    };
}
