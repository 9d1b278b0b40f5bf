using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>Per-model deployment settings through <c>/api/models/{name}/deployment</c>: stored, validated, audited,
/// and applied to the running server without a restart or a failed request.</summary>
public sealed class DeploymentSettingsTests
{
    private const string Model = "adder";

    [Fact]
    public async Task PutDeployment_UnderLoad_NewSettingsServeWithoutRestartOrFailedRequest()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1), alias: "production");
        var path = $"/v2/models/{Model}/infer";
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);
        var before = await FailedLoadTests.DeploymentAsync(server.Client, 1);
        var loadedBefore = before!.Value.GetProperty("loaded_at").GetString();

        using var load = InferenceLoad.Start(server.Client, path, clients: 4);

        var (putStatus, stored) = await PutAsync(server.Client, Model, """{"max_batch_size": 4, "max_queue": 5, "intra_op_threads": 1}""");
        Assert.Equal(HttpStatusCode.OK, putStatus);
        Assert.Equal(4, stored.GetProperty("overrides").GetProperty("max_batch_size").GetInt32());
        Assert.False(stored.GetProperty("overrides").TryGetProperty("instances", out _));
        Assert.Equal(5, stored.GetProperty("effective").GetProperty("max_queue").GetInt32());

        var after = await Eventually.WaitForAsync(
            () => FailedLoadTests.DeploymentAsync(server.Client, 1),
            d => d is { } e && e.GetProperty("settings").GetProperty("intra_op_threads").GetInt32() == 1 && !e.GetProperty("reloading").GetBoolean());
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);
        }

        var all = (await load.StopAsync()).SelectMany(r => r).ToList();

        Assert.True(all.Count > 16, "too few requests ran");
        Assert.Empty(all.Where(r => r.Status != HttpStatusCode.OK || r.Output != AddModel.Format(AddModel.Expected(1))).Select(r => $"{(int)r.Status} {r.Output}"));
        var settings = after!.Value.GetProperty("settings");
        Assert.Equal((4, 5, 1), (settings.GetProperty("max_batch_size").GetInt32(), settings.GetProperty("max_queue").GetInt32(), settings.GetProperty("intra_op_threads").GetInt32()));
        Assert.Equal("ready", after.Value.GetProperty("state").GetString());

        // The thread count is baked into the session: the version loaded again (a new instance took over).
        Assert.NotEqual(loadedBefore, after.Value.GetProperty("loaded_at").GetString());
    }

    [Fact]
    public async Task PutDeployment_PartialAndNull_MergesResetsAuditsAndShowsInGet()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));

        await PutAsync(server.Client, Model, """{"max_batch_size": 16, "keep_alive_ms": 0}""");
        var (status, stored) = await PutAsync(server.Client, Model, """{"max_batch_size": null, "max_queue_delay_ms": 2.5}""");
        var read = await server.Client.GetFromJsonAsync<JsonElement>($"/api/models/{Model}/deployment");
        var audit = await server.Client.GetFromJsonAsync<JsonElement>($"/api/audit?model={Model}&limit=1");

        Assert.Equal(HttpStatusCode.OK, status);
        var overrides = read.GetProperty("overrides");
        Assert.False(overrides.TryGetProperty("max_batch_size", out _));
        Assert.Equal(0, overrides.GetProperty("keep_alive_ms").GetDouble());
        Assert.Equal(2.5, overrides.GetProperty("max_queue_delay_ms").GetDouble());
        Assert.Equal(8, read.GetProperty("effective").GetProperty("max_batch_size").GetInt32());
        Assert.Equal(stored.GetProperty("updated_at").GetString(), read.GetProperty("updated_at").GetString());
        var entry = audit.GetProperty("entries")[0];
        Assert.Equal("deployment.set", entry.GetProperty("action").GetString());
        Assert.Contains("max_queue_delay_ms=2.5", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"max_batch_size": 0}""", "max_batch_size")]
    [InlineData("""{"instances": -1}""", "instances")]
    [InlineData("""{"max_queue": "many"}""", "max_queue")]
    [InlineData("""{"request_timeout_ms": 0}""", "request_timeout_ms")]
    [InlineData("""{"threads": 2}""", "Unknown deployment setting")]
    [InlineData("""[1, 2]""", "JSON object")]
    public async Task PutDeployment_InvalidValue_400NamingTheProblem(string body, string expected)
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));

        var (status, problem) = await PutAsync(server.Client, Model, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployment_UnknownModel_404()
    {
        await using var server = await MaasTestServer.StartAsync();

        var (putStatus, _) = await PutAsync(server.Client, "nope", """{"max_queue": 1}""");
        using var get = await server.Client.GetAsync("/api/models/nope/deployment");

        Assert.Equal(HttpStatusCode.NotFound, putStatus);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PutAsync(HttpClient client, string model, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PutAsync($"/api/models/{model}/deployment", content);
        return (response.StatusCode, await Json.ReadAsync(response));
    }
}
