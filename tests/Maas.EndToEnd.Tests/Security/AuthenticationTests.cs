using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Registry.Abstractions;
using Maas.Server.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Authentication with keys required: 401 in each protocol's shape, open health, the admin key file,
/// revocation and expiry, hash-only storage, filtered lists and the audit of keys and failures.</summary>
public sealed class AuthenticationTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    [Fact]
    public async Task NoCredentials_EveryFamily_401InItsOwnShapeWithWwwAuthenticate()
    {
        using var anonymous = fixture.Client(null);

        var v2 = await SendAsync(anonymous, HttpMethod.Post, $"/v2/models/{AuthServerFixture.ModelA}/infer");
        var predict = await SendAsync(anonymous, HttpMethod.Post, $"/models/{AuthServerFixture.ModelA}/predict");
        var v1 = await SendAsync(anonymous, HttpMethod.Get, "/v1/models");
        var api = await SendAsync(anonymous, HttpMethod.Get, "/api/models");
        var keys = await SendAsync(anonymous, HttpMethod.Post, "/api/keys");
        var metrics = await SendAsync(anonymous, HttpMethod.Get, "/metrics");

        foreach (var (status, challenge, _, _) in new[] { v2, predict, v1, api, keys, metrics })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("Bearer", challenge);
        }

        Assert.Equal(JsonValueKind.String, v2.Body.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.String, predict.Body.GetProperty("error").ValueKind);
        Assert.Equal("authentication_error", v1.Body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("application/problem+json", api.ContentType);
        Assert.Equal(401, api.Body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task PlaceholderKey_KeysRequired_401()
    {
        using var client = fixture.Client("unused");

        using var response = await client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task HealthAndReadiness_NoCredentials_Open()
    {
        using var anonymous = fixture.Client(null);

        using var live = await anonymous.GetAsync("/v2/health/live");
        using var ready = await anonymous.GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Metrics_ViewerAllowedInferenceDenied()
    {
        using var viewer = fixture.Client(fixture.Keys["viewer"]);
        using var inference = fixture.Client(fixture.Keys["inference"]);

        using var allowed = await viewer.GetAsync("/metrics");
        using var denied = await inference.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AdminKeyFile_FirstStart_OwnerReadWriteOnly()
    {
        var path = Path.Combine(fixture.Server.DataDirectory, "admin.key");

        var mode = File.GetUnixFileMode(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.StartsWith("maas_", fixture.AdminKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeyHeader_InsteadOfBearer_Accepted()
    {
        using var client = fixture.Client(null);
        client.DefaultRequestHeaders.Add("x-api-key", fixture.Keys["inference"]);

        var result = await Admin.AddModel.InferAsync(client, $"/v2/models/{AuthServerFixture.ModelA}/infer");

        Assert.Equal(HttpStatusCode.OK, result.Status);
    }

    [Fact]
    public async Task Revoke_KeyInUse_RefusedOnTheNextRequest()
    {
        using var admin = fixture.Client(fixture.AdminKey);
        var key = await AuthServerFixture.CreateKeyAsync(admin, "short-lived", "inference", []);
        using var client = fixture.Client(key);
        var before = await Admin.AddModel.InferAsync(client, $"/v2/models/{AuthServerFixture.ModelA}/infer");
        var id = key.Split('_')[1];

        using var revoked = await admin.DeleteAsync($"/api/keys/{id}");
        var after = await Admin.AddModel.InferAsync(client, $"/v2/models/{AuthServerFixture.ModelA}/infer");

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
    }

    [Fact]
    public async Task ExpiredKey_ValidSecret_Refused()
    {
        var store = fixture.Server.App.Services.GetRequiredService<IApiKeyStore>();
        var (id, full, salt, hash) = ApiKeySecret.Generate();
        await store.CreateAsync(new ApiKeyRecord(id, "expired", "admin", [], salt, hash, ApiKeySecret.DisplayPrefix(id), DateTimeOffset.UtcNow.AddDays(-2), "test")
        {
            ExpiresAt = DateTimeOffset.UtcNow.AddDays(-1),
        });
        using var client = fixture.Client(full);

        using var response = await client.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task KeyStorage_CreatedKey_OnlySaltedHashInTheDatabase()
    {
        using var admin = fixture.Client(fixture.AdminKey);
        var key = await AuthServerFixture.CreateKeyAsync(admin, "stored", "viewer", ["team-a-*"]);
        var secret = key[(key.IndexOf('_', 5) + 1)..];

        var rows = new List<string>();
        var database = Directory.GetFiles(fixture.Server.DataDirectory, "*.db", SearchOption.AllDirectories).Single();
        await using (var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM api_keys";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }

        var row = Assert.Single(rows, r => r.StartsWith(key.Split('_')[1] + "|", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, string.Join("\n", rows), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ReadShared(database) + ReadShared(database + "-wal"), StringComparison.Ordinal);
        var stored = await fixture.Server.App.Services.GetRequiredService<IApiKeyStore>().FindAsync(key.Split('_')[1]);
        Assert.True(ApiKeySecret.Verify(secret, stored!.Salt, stored.Hash));
        Assert.False(ApiKeySecret.Verify(secret + "x", stored.Salt, stored.Hash));
        Assert.Contains("viewer", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelLists_ScopedKey_OnlyVisibleModels()
    {
        using var inference = fixture.Client(fixture.Keys["inference"]);
        using var viewer = fixture.Client(fixture.Keys["viewer"]);

        var v1 = await Json.GetAsync(inference, "/v1/models");
        var api = await Json.GetAsync(viewer, "/api/models");
        var index = await Json.PostAsync(inference, "/v2/repository/index", "{}");
        var stats = await Json.GetAsync(viewer, "/v2/models/stats");
        var apiAsInference = await Json.GetAsync(inference, "/api/models");

        Assert.Equal([AuthServerFixture.ModelA], v1.Body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.Equal([AuthServerFixture.ModelA], api.Body.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal([AuthServerFixture.ModelA], index.Body.EnumerateArray().Select(m => m.GetProperty("name").GetString()).Distinct());
        Assert.Equal([AuthServerFixture.ModelA], stats.Body.GetProperty("model_stats").EnumerateArray().Select(m => m.GetProperty("name").GetString()).Distinct());
        Assert.Equal(HttpStatusCode.Forbidden, apiAsInference.Status);
    }

    [Fact]
    public async Task Keys_NonAdmin_Forbidden()
    {
        using var publisher = fixture.Client(fixture.Keys["publisher"]);

        using var list = await publisher.GetAsync("/api/keys");
        using var audit = await publisher.GetAsync("/api/audit");

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, audit.StatusCode);
    }

    [Fact]
    public async Task Audit_KeyCreateAndRevoke_RecordedWithTheAdminKeyAsActor()
    {
        using var admin = fixture.Client(fixture.AdminKey);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
        var key = await AuthServerFixture.CreateKeyAsync(admin, "audited", "viewer", []);
        using (await admin.DeleteAsync($"/api/keys/{key.Split('_')[1]}"))
        {
        }

        var (_, keyChanges) = await Json.GetAsync(admin, $"/api/audit?actor=admin&since={Uri.EscapeDataString(since)}");

        var changes = keyChanges.GetProperty("entries").EnumerateArray().Select(e => (Action: e.GetProperty("action").GetString(), Actor: e.GetProperty("actor").GetString())).ToList();
        Assert.Contains(("key.create", $"admin#{fixture.AdminKey.Split('_')[1]}"), changes);
        Assert.Contains(("key.revoke", $"admin#{fixture.AdminKey.Split('_')[1]}"), changes);
    }

    [Fact]
    public async Task Push_ActorHeaderSent_ActorIsTheKeyNotTheHeader()
    {
        using var publisher = fixture.Client(fixture.Keys["publisher"]);
        publisher.DefaultRequestHeaders.Add("X-Maas-Actor", "mallory");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Admin.AddModel.Create(7)), "file", "model.onnx" } };
        using var pushed = await publisher.PostAsync("/api/models/team-a-pushed/versions", form);
        using var admin = fixture.Client(fixture.AdminKey);

        var (_, audit) = await Json.GetAsync(admin, "/api/audit?model=team-a-pushed");

        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        var entry = Assert.Single(audit.GetProperty("entries").EnumerateArray());
        Assert.Equal($"publisher-a#{fixture.Keys["publisher"].Split('_')[1]}", entry.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", entry.GetProperty("address").GetString());
    }

    [Fact]
    public async Task Push_PublisherOutsideItsPatterns_NotFound()
    {
        using var publisher = fixture.Client(fixture.Keys["publisher"]);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Admin.AddModel.Create(7)), "file", "model.onnx" } };

        using var pushed = await publisher.PostAsync("/api/models/team-b-new/versions", form);

        Assert.Equal(HttpStatusCode.NotFound, pushed.StatusCode);
    }

    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
        return reader.ReadToEnd();
    }

    private static async Task<(HttpStatusCode Status, string? Challenge, string? ContentType, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, response.Headers.WwwAuthenticate.ToString(), response.Content.Headers.ContentType?.MediaType, body);
    }
}
