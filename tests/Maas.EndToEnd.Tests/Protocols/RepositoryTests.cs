using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.Tensors;

namespace Maas.EndToEnd.Tests.Protocols;

/// <summary>The model repository extension drives the same host as requests: index states, explicit load and unload,
/// and metadata that never loads.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class RepositoryTests(TensorServerFixture fixture)
{
    [Fact]
    public async Task Index_PushedButUnused_ListsVersionUnavailableNotLoaded()
    {
        var model = await PushAsync("repo-index");

        var entry = await EntryAsync(model, 1);

        Assert.Equal("UNAVAILABLE", entry.GetProperty("state").GetString());
        Assert.Equal("not loaded", entry.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Load_UnusedModel_IsReadyWithoutARequest()
    {
        var model = await PushAsync("repo-load");

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/repository/models/{model}/load", "");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        Assert.Equal("READY", (await EntryAsync(model, 1)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Json.GetAsync(fixture.Client, $"/v2/models/{model}/ready")).Status);
        var ready = await Json.PostAsync(fixture.Client, "/v2/repository/index", """{"ready": true}""");
        Assert.Contains(ready.Body.EnumerateArray(), e => e.GetProperty("name").GetString() == model);
    }

    [Fact]
    public async Task Unload_LoadedModel_StaysUnloadedForProbesUntilARequestLoadsIt()
    {
        var model = await PushAsync("repo-unload");
        Assert.Equal(HttpStatusCode.OK, (await AddModel.InferAsync(fixture.Client, $"/v2/models/{model}/infer")).Status);

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/repository/models/{model}/unload", "");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        var entry = await EntryAsync(model, 1);
        Assert.Equal("UNAVAILABLE", entry.GetProperty("state").GetString());
        Assert.Equal("unloaded through the repository API", entry.GetProperty("reason").GetString());

        // A readiness probe does not load an unloaded model (it would for a model never loaded).
        var probe = await Json.GetAsync(fixture.Client, $"/v2/models/{model}/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.Status);
        Assert.Equal("unloaded", probe.Body.GetProperty("state").GetString());
        Assert.Equal("UNAVAILABLE", (await EntryAsync(model, 1)).GetProperty("state").GetString());
        var ready = await Json.PostAsync(fixture.Client, "/v2/repository/index", """{"ready": true}""");
        Assert.DoesNotContain(ready.Body.EnumerateArray(), e => e.GetProperty("name").GetString() == model);

        var (inferStatus, output, _) = await AddModel.InferAsync(fixture.Client, $"/v2/models/{model}/infer");
        Assert.Equal(HttpStatusCode.OK, inferStatus);
        Assert.Equal(AddModel.Expected(1), output);
        Assert.Equal("READY", (await EntryAsync(model, 1)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Unload_ThenNewVersionPushed_DoesNotLoadIt()
    {
        var model = await PushAsync("repo-unload-push");
        Assert.Equal(HttpStatusCode.OK, (await AddModel.InferAsync(fixture.Client, $"/v2/models/{model}/infer")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(fixture.Client, $"/v2/repository/models/{model}/unload", "")).Status);

        await fixture.Server.PushAsync(model, AddModel.Files(2));

        // The route moves to version 2 without loading it; the first request then loads version 2.
        var (status, output, _) = await AddModel.InferAsync(fixture.Client, $"/v2/models/{model}/infer");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(AddModel.Expected(2), output);
        Assert.Equal("UNAVAILABLE", (await EntryAsync(model, 1)).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("load")]
    [InlineData("unload")]
    public async Task LoadOrUnload_UnknownModel_Returns404InV2Shape(string action)
    {
        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/repository/models/no-such-model/{action}", "");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no-such-model", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"ready": "yes"}""", "'ready' must be true or false")]
    [InlineData("""{"repository": "x"}""", "Unknown field 'repository'")]
    [InlineData("""[1]""", "must be a JSON object")]
    public async Task Index_BadBody_Returns400InV2Shape(string json, string expected)
    {
        var (status, body) = await Json.PostAsync(fixture.Client, "/v2/repository/index", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_UnloadedVersion_AnswersFromRegistryAndLeavesItUnloaded()
    {
        var model = await PushAsync("repo-metadata");

        var (status, body) = await Json.GetAsync(fixture.Client, $"/v2/models/{model}/versions/1");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        Assert.Equal("onnxruntime_onnx", body.GetProperty("platform").GetString());
        Assert.Equal("x", body.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal([-1L, 3L], body.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal("y", body.GetProperty("outputs")[0].GetProperty("name").GetString());
        Assert.Equal("not loaded", (await EntryAsync(model, 1)).GetProperty("reason").GetString());
        var deployments = await Json.GetAsync(fixture.Client, $"/api/deployments?model={model}");
        Assert.DoesNotContain(model, deployments.Body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerMetadata_Always_AnnouncesExtensions()
    {
        var (_, body) = await Json.GetAsync(fixture.Client, "/v2");

        var extensions = body.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("binary_tensor_data", extensions);
        Assert.Contains("model_repository", extensions);
        Assert.Contains("statistics", extensions);
        Assert.Contains("classification", extensions);
    }

    private async Task<string> PushAsync(string prefix)
    {
        var model = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await fixture.Server.PushAsync(model, AddModel.Files(1));
        return model;
    }

    private async Task<JsonElement> EntryAsync(string model, int version)
    {
        var (status, index) = await Json.PostAsync(fixture.Client, "/v2/repository/index", "");
        Assert.Equal(HttpStatusCode.OK, status);
        return index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == model && e.GetProperty("version").GetString() == version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
