using System.Collections.Concurrent;
using System.Globalization;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Lets the limit tests name keys in headers: <c>x-test-key</c> (a name), <c>x-test-rps</c> and <c>x-test-tpm</c>
/// (its limits). The first request naming a key with given limits creates a real API key with them (through the server's
/// key service, stored hashed like any other) and every such request is sent on as <c>Authorization: Bearer &lt;key&gt;</c>,
/// so the claims the rate limiter reads come from real authentication.</summary>
internal sealed class TestClaims : IStartupFilter
{
    public const string KeyHeader = "x-test-key";
    public const string RpsHeader = "x-test-rps";
    public const string TpmHeader = "x-test-tpm";

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _keys = new(StringComparer.Ordinal);

    public static void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter, TestClaims>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, following) =>
        {
            var headers = context.Request.Headers;
            if (headers.TryGetValue(KeyHeader, out var name))
            {
                var rps = headers.TryGetValue(RpsHeader, out var r) ? r.ToString() : null;
                var tpm = headers.TryGetValue(TpmHeader, out var t) ? t.ToString() : null;
                var key = await KeyAsync(context, name.ToString(), rps, tpm).ConfigureAwait(false);
                headers.Remove(KeyHeader);
                headers.Remove(RpsHeader);
                headers.Remove(TpmHeader);
                headers.Authorization = "Bearer " + key;
            }

            await following(context).ConfigureAwait(false);
        });
        next(app);
    };

    private Task<string> KeyAsync(HttpContext context, string name, string? rps, string? tpm) =>
        _keys.GetOrAdd($"{name}|{rps}|{tpm}", _ => new Lazy<Task<string>>(async () =>
        {
            var keys = context.RequestServices.GetRequiredService<KeyService>();
            var request = new CreateKeyRequest(
                $"test-{name}-{Guid.NewGuid():N}"[..32],
                MaasRoles.Admin,
                null,
                null,
                rps is null ? null : double.Parse(rps, CultureInfo.InvariantCulture),
                tpm is null ? null : int.Parse(tpm, CultureInfo.InvariantCulture));
            var created = await keys.CreateAsync(request, "test", CancellationToken.None).ConfigureAwait(false);
            return created.Key!;
        })).Value;
}
