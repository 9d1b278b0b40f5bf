using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Server;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Secure by default: a server on 0.0.0.0 refuses callers without keys; loopback stays one step (anonymous
/// admin) but still checks a presented key; failures are audited at a bounded rate; JWTs from a configured issuer work.</summary>
public sealed class SecureDefaultsTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Serve_AllInterfacesWithoutKey_401AndAdminKeyWritten()
    {
        var data = TempFolder.Create("maas-auth");
        var app = MaasServer.Build(new MaasServerOptions { DataDirectory = data, Host = "0.0.0.0", HttpPort = 0, GrpcPort = 0, RegisterSamples = false });
        await app.StartAsync();
        try
        {
            var port = new Uri(app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            var infer = await AddModel.InferAsync(client, "/v2/models/anything/infer");
            using var admin = await client.GetAsync("/api/models");
            using var ready = await client.GetAsync("/v2/health/ready");
            var keyFile = Path.Combine(data, "admin.key");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(keyFile)).Trim());
            using var withKey = await client.GetAsync("/api/models");

            Assert.Equal(HttpStatusCode.Unauthorized, infer.Status);
            Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            TempFolder.Delete(data);
        }
    }

    [Fact]
    public async Task Restart_AdminKeyExists_KeptNotReplaced()
    {
        var data = TempFolder.Create("maas-auth");
        try
        {
            // Stopped, not disposed: disposing a test server deletes its data folder.
            var server = await MaasTestServer.StartAsync(settings: ["Maas:Auth:Mode=required"], dataDirectory: data);
            var first = await File.ReadAllTextAsync(Path.Combine(data, "admin.key"));
            await server.App.StopAsync();
            await server.App.DisposeAsync();

            await using var again = await MaasTestServer.StartAsync(settings: ["Maas:Auth:Mode=required"], dataDirectory: data);
            again.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", first.Trim());
            using var response = await again.Client.GetAsync("/api/keys");

            Assert.Equal(first, await File.ReadAllTextAsync(Path.Combine(data, "admin.key")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    [Fact]
    public async Task Loopback_NoOrPlaceholderCredentials_AnonymousAdminButBadMaasKey401()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync("adder", AddModel.Files(1));

        var anonymous = await AddModel.InferAsync(server.Client, "/v2/models/adder/infer");
        using var bad = new HttpClient { BaseAddress = server.BaseAddress };
        bad.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "maas_0123456789abcdef_thisisnotavalidsecretatall");
        var refused = await AddModel.InferAsync(bad, "/v2/models/adder/infer");
        using var placeholder = new HttpClient { BaseAddress = server.BaseAddress };
        placeholder.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "unused");
        var sdkDefault = await AddModel.InferAsync(placeholder, "/v2/models/adder/infer");

        Assert.Equal(HttpStatusCode.OK, anonymous.Status);
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "admin.key")));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(HttpStatusCode.OK, sdkDefault.Status);
    }

    [Fact]
    public async Task AuthFailures_Repeated_OneAuditRecordPerAddressAndInterval()
    {
        await using var server = await MaasTestServer.StartAsync(settings: ["Maas:Auth:Mode=required"]);
        using var intruder = new HttpClient { BaseAddress = server.BaseAddress };
        intruder.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "maas_00000000000000aa_wrongwrongwrongwrongwrong");
        for (var i = 0; i < 5; i++)
        {
            using var refused = await intruder.GetAsync("/api/models");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin.key"))).Trim());
        var (_, audit) = await Json.GetAsync(server.Client, "/api/audit?action=auth.failure");

        var failure = Assert.Single(audit.GetProperty("entries").EnumerateArray());
        Assert.Equal("unauthenticated", failure.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", failure.GetProperty("address").GetString());
        Assert.Contains("GET /api/models: unknown API key 00000000000000aa", failure.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrongwrong", audit.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_SignedByConfiguredKey_RoleAndModelsFromClaims()
    {
        var signingKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("a test signing key of at least 32 bytes!"));
        await using var server = await MaasTestServer.StartAsync(settings:
        [
            "Maas:Auth:Mode=required",
            "Maas:Auth:Jwt:Issuer=https://idp.test",
            "Maas:Auth:Jwt:Audience=maas",
            $"Maas:Auth:Jwt:SigningKeys:0={signingKey}",
        ]);
        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin.key"))).Trim());
        await server.PushAsync("team-a-adder", AddModel.Files(1));
        await server.PushAsync("team-b-adder", AddModel.Files(2));

        var good = Token(signingKey, "https://idp.test", "maas", "inference", "team-a-*", DateTime.UtcNow.AddMinutes(5));
        var wrongIssuer = Token(signingKey, "https://other.test", "maas", "inference", "team-a-*", DateTime.UtcNow.AddMinutes(5));
        var wrongKey = Token(Convert.ToBase64String(Encoding.UTF8.GetBytes("another signing key, also 32 bytes long")), "https://idp.test", "maas", "inference", "team-a-*", DateTime.UtcNow.AddMinutes(5));
        var expired = Token(signingKey, "https://idp.test", "maas", "inference", "team-a-*", DateTime.UtcNow.AddMinutes(-5));

        Assert.Equal(HttpStatusCode.OK, (await InferWith(server, good, "team-a-adder")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await InferWith(server, good, "team-b-adder")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await InferWith(server, wrongIssuer, "team-a-adder")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await InferWith(server, wrongKey, "team-a-adder")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await InferWith(server, expired, "team-a-adder")).Status);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", good);
        using var denied = await client.GetAsync("/api/keys");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, float[] Output, System.Text.Json.JsonElement Body)> InferWith(MaasTestServer server, string token, string model)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await AddModel.InferAsync(client, $"/v2/models/{model}/infer");
    }

    private static string Token(string base64Key, string issuer, string audience, string role, string models, DateTime expires) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "alice"), new Claim("maas_role", role), new Claim("maas_models", models)]),
            NotBefore = expires.AddMinutes(-30),
            IssuedAt = expires.AddMinutes(-30),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(base64Key)), SecurityAlgorithms.HmacSha256),
        });
}
