using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>One server with authentication required (REST and gRPC), two models (<see cref="ModelA"/>,
/// <see cref="ModelB"/>) and a key per role scoped to <c>team-a-*</c>.</summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    public const string ModelA = "team-a-adder";
    public const string ModelB = "team-b-adder";

    private MaasTestServer? _server;

    public MaasTestServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>The admin key the server wrote to its data folder on first start.</summary>
    public string AdminKey { get; private set; } = string.Empty;

    /// <summary>Role → key limited to <c>team-a-*</c> (admin: the bootstrap key, unrestricted).</summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _server = await MaasTestServer.StartAsync(settings: ["Maas:Auth:Mode=required"], grpc: true);
        AdminKey = (await File.ReadAllTextAsync(Path.Combine(Server.DataDirectory, "admin.key"))).Trim();
        using (var admin = Client(AdminKey))
        {
            foreach (var model in new[] { ModelA, ModelB })
            {
                using var form = new MultipartFormDataContent();
                form.Add(new ByteArrayContent(AddModel.Create(model == ModelA ? 1 : 2)), "file", "model.onnx");
                using var pushed = await admin.PostAsync($"/api/models/{model}/versions", form);
                Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
            }

            Keys["admin"] = AdminKey;
            foreach (var role in new[] { "publisher", "inference", "viewer" })
            {
                Keys[role] = await CreateKeyAsync(admin, $"{role}-a", role, ["team-a-*"]);
            }
        }
    }

    /// <summary>A client for the REST port sending <paramref name="key"/> as a bearer token (none when null).</summary>
    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public static async Task<string> CreateKeyAsync(HttpClient admin, string name, string role, string[] models, DateTimeOffset? expiresAt = null)
    {
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name, role, models, expires_at = expiresAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("key").GetString()!;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
