using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>The admin API's version lifecycle against the real server: push, list, show, aliases, inference, delete, audit.</summary>
public sealed class ModelLifecycleTests
{
    private const string Model = "adder";

    [Fact]
    public async Task Push_TwoVersions_NumberedInOrderAndShownWithFileDigests()
    {
        await using var server = await MaasTestServer.StartAsync();
        var first = AddModel.Create(1);
        var second = AddModel.Create(2);

        var v1 = await server.PushAsync(Model, [("model.onnx", first)]);
        var v2 = await server.PushAsync(Model, [("model.onnx", second)]);

        Assert.Equal(1, v1);
        Assert.Equal(2, v2);
        var listed = Assert.Single((await AddModel.ListModelsAsync(server.Client)).EnumerateArray(), m => m.GetProperty("name").GetString() == Model);
        Assert.Equal(2, listed.GetProperty("version_count").GetInt32());
        Assert.Equal(2, listed.GetProperty("latest_version").GetInt32());

        var (status, details) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.Equal(HttpStatusCode.OK, status);
        var versions = details.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal([2, 1], versions.Select(v => v.GetProperty("version").GetInt32()));
        foreach (var (version, bytes) in new[] { (versions[0], second), (versions[1], first) })
        {
            var file = Assert.Single(version.GetProperty("files").EnumerateArray());
            Assert.Equal("model.onnx", file.GetProperty("name").GetString());
            Assert.Equal(bytes.Length, file.GetProperty("size").GetInt64());
            Assert.Equal(AddModel.Sha256(bytes), file.GetProperty("sha256").GetString());
            Assert.Equal("onnx", version.GetProperty("manifest").GetProperty("format").GetString());
        }
    }

    [Fact]
    public async Task Push_SameBytesTwice_StoredOnceOnDisk()
    {
        await using var server = await MaasTestServer.StartAsync();
        var bytes = AddModel.Create(7);

        await server.PushAsync("first", [("model.onnx", bytes)]);
        await server.PushAsync("second", [("model.onnx", bytes)]);
        await server.PushAsync("second", [("model.onnx", bytes)]);

        Assert.Equal([AddModel.Sha256(bytes)], AddModel.BlobsOnDisk(server.DataDirectory));
        var (_, second) = await Json.GetAsync(server.Client, "/api/models/second");
        Assert.Equal(2, second.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task Infer_ByAliasAndVersion_ReachesTheVersionNamed()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));
        await server.PushAsync(Model, AddModel.Files(2), alias: "staging");

        var byVersion1 = await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/versions/1/infer");
        var byColon1 = await AddModel.InferAsync(server.Client, $"/v2/models/{Model}:1/infer");
        var byColon2 = await AddModel.InferAsync(server.Client, $"/v2/models/{Model}:2/infer");
        var byAlias = await AddModel.InferAsync(server.Client, $"/v2/models/{Model}@staging/infer");

        Assert.Equal(AddModel.Expected(1), byVersion1.Output);
        Assert.Equal(AddModel.Expected(1), byColon1.Output);
        Assert.Equal(AddModel.Expected(2), byColon2.Output);
        Assert.Equal(AddModel.Expected(2), byAlias.Output);
        Assert.Equal("2", byAlias.Body.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Alias_SetMoveRemove_InferenceFollowsTheAlias()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));
        await server.PushAsync(Model, AddModel.Files(2));
        var path = $"/v2/models/{Model}@staging/infer";

        Assert.Equal(HttpStatusCode.NoContent, await SetAliasAsync(server, "staging", 1));
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);
        var (_, shown) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.Equal(1, shown.GetProperty("aliases").GetProperty("staging").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, await SetAliasAsync(server, "staging", 2));
        var moved = await Eventually.WaitForAsync(() => AddModel.InferAsync(server.Client, path), r => r.Output.SequenceEqual(AddModel.Expected(2)));
        Assert.Equal(AddModel.Format(AddModel.Expected(2)), AddModel.Format(moved.Output));

        using var removed = await server.Client.DeleteAsync($"/api/models/{Model}/aliases/staging");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var gone = await Eventually.WaitForAsync(() => AddModel.InferAsync(server.Client, path), r => r.Status == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        var (_, after) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.False(after.GetProperty("aliases").TryGetProperty("staging", out _));
    }

    [Fact]
    public async Task Infer_PlainName_UsesProductionAliasElseLatest()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));
        await server.PushAsync(Model, AddModel.Files(2));
        var path = $"/v2/models/{Model}/infer";

        Assert.Equal(AddModel.Expected(2), (await AddModel.InferAsync(server.Client, path)).Output);

        Assert.Equal(HttpStatusCode.NoContent, await SetAliasAsync(server, "production", 1));
        var pinned = await Eventually.WaitForAsync(() => AddModel.InferAsync(server.Client, path), r => r.Output.SequenceEqual(AddModel.Expected(1)));
        Assert.Equal(AddModel.Format(AddModel.Expected(1)), AddModel.Format(pinned.Output));
    }

    [Fact]
    public async Task DeleteVersion_WhileAliased_RefusedWith409UnlessForced()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1), alias: "production");
        await server.PushAsync(Model, AddModel.Files(2));
        var v1Path = $"/v2/models/{Model}/versions/1/infer";
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, v1Path)).Output);

        using (var refused = await server.Client.DeleteAsync($"/api/models/{Model}/versions/1"))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var problem = await Json.ReadAsync(refused);
            Assert.Equal(409, problem.GetProperty("status").GetInt32());
            Assert.Contains("production", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, v1Path)).Output);

        using (var forced = await server.Client.DeleteAsync($"/api/models/{Model}/versions/1?force=true"))
        {
            Assert.Equal(HttpStatusCode.NoContent, forced.StatusCode);
        }

        var gone = await Eventually.WaitForAsync(() => AddModel.InferAsync(server.Client, v1Path), r => r.Status == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        var (_, details) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.Equal([2], details.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.False(details.GetProperty("aliases").TryGetProperty("production", out _));
        Assert.Equal([AddModel.Sha256(AddModel.Create(2))], AddModel.BlobsOnDisk(server.DataDirectory));
    }

    [Fact]
    public async Task DeleteVersion_NotAliased_RemovesItWithoutForce()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));
        await server.PushAsync(Model, AddModel.Files(2));

        using var deleted = await server.Client.DeleteAsync($"/api/models/{Model}/versions/2");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var gone = await Eventually.WaitForAsync(() => AddModel.InferAsync(server.Client, $"/v2/models/{Model}:2/infer"), r => r.Status == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/infer")).Output);
    }

    [Fact]
    public async Task Audit_EachChange_RecordedWithTheAuthenticatedKeyNotAHeader()
    {
        await using var server = await MaasTestServer.StartAsync();
        using (var created = await server.Client.PostAsJsonAsync("/api/keys", new { name = "alice", role = "admin" }))
        {
            var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString();
            server.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        // A header naming someone else changes nothing: the actor is whoever the key belongs to.
        server.Client.DefaultRequestHeaders.Add("X-Maas-Actor", "mallory");
        await server.PushAsync(Model, AddModel.Files(1));
        await server.PushAsync(Model, AddModel.Files(2));
        await SetAliasAsync(server, "production", 1);
        await SetAliasAsync(server, "production", 2);
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/models/{Model}") { Content = JsonContent.Create(new { description = "adds a constant" }) })
        using (var patched = await server.Client.SendAsync(patch))
        {
            Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        }

        (await server.Client.DeleteAsync($"/api/models/{Model}/aliases/production")).Dispose();
        (await server.Client.DeleteAsync($"/api/models/{Model}/versions/1")).Dispose();
        server.Client.DefaultRequestHeaders.Remove("X-Maas-Actor");
        server.Client.DefaultRequestHeaders.Authorization = null;
        await server.PushAsync("other", AddModel.Files(3));

        var (status, audit) = await Json.GetAsync(server.Client, $"/api/audit?model={Model}&limit=50");

        Assert.Equal(HttpStatusCode.OK, status);
        var entries = audit.GetProperty("entries").EnumerateArray().Reverse()
            .Select(e => (Action: e.GetProperty("action").GetString(), Version: e.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0, Actor: e.GetProperty("actor").GetString()))
            .ToList();
        Assert.Equal(
            [("push", 1), ("push", 2), ("alias.set", 1), ("alias.set", 2), ("alias.remove", 2), ("version.delete", 1)],
            entries.Where(e => e.Action != "model.update").Select(e => (e.Action, e.Version)));
        Assert.Contains(entries, e => e.Action == "model.update");
        Assert.All(entries, e => Assert.StartsWith("alice#", e.Actor, StringComparison.Ordinal));

        var (_, other) = await Json.GetAsync(server.Client, "/api/audit?model=other");
        Assert.Equal("anonymous", Assert.Single(other.GetProperty("entries").EnumerateArray()).GetProperty("actor").GetString());
    }

    private static async Task<HttpStatusCode> SetAliasAsync(MaasTestServer server, string alias, int version)
    {
        using var content = new StringContent($"{{\"version\": {version}}}", Encoding.UTF8, "application/json");
        using var response = await server.Client.PutAsync($"/api/models/{Model}/aliases/{alias}", content);
        return response.StatusCode;
    }
}
