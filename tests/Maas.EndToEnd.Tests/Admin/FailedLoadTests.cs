using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Maas.EndToEnd.Tests.Cli;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>Moving <c>production</c> to a version that cannot load, under load: nothing fails, the old version keeps
/// serving, and the failure with its reason shows in the API and the CLI.</summary>
public sealed class FailedLoadTests
{
    private const string Model = "adder";
    private const int Clients = 4;

    [Fact]
    public async Task MoveProductionToBrokenVersion_UnderLoad_NoRequestFailsOldVersionServesFailureVisible()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1), alias: "production");
        await server.PushAsync(Model, BrokenModel.Files());
        var path = $"/v2/models/{Model}/infer";
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);
        using var load = InferenceLoad.Start(server.Client, path, Clients);

        using (var content = new StringContent("{\"version\": 2}", Encoding.UTF8, "application/json"))
        using (var moved = await server.Client.PutAsync($"/api/models/{Model}/aliases/production", content))
        {
            Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        }

        var failed = await Eventually.WaitForAsync(() => DeploymentAsync(server.Client, 2), d => d?.GetProperty("state").GetString() == "failed");
        for (var i = 0; i < 10; i++)
        {
            // The load stays on after the failure: the old version keeps answering.
            Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);
        }

        var all = (await load.StopAsync()).SelectMany(r => r).ToList();

        Assert.True(all.Count > Clients * 4, $"only {all.Count} requests ran");
        Assert.All(all, r => Assert.True(r.Status == HttpStatusCode.OK, $"request failed: {(int)r.Status} {r.Output}"));
        Assert.All(all, r => Assert.Equal(AddModel.Format(AddModel.Expected(1)), r.Output));
        Assert.NotNull(failed);
        var reason = failed.Value.GetProperty("last_error").GetString();
        Assert.Contains(BrokenModel.OpType, reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.DirectorySeparatorChar + "artifacts" + Path.DirectorySeparatorChar, reason, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, failed.Value.GetProperty("next_retry_at").ValueKind);
        Assert.Equal("ready", (await DeploymentAsync(server.Client, 1))?.GetProperty("state").GetString());
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);

        // A request naming the broken version says why, at once (no new load before the backoff).
        var (status, _, body) = await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/versions/2/infer");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains(BrokenModel.OpType, body.ToString(), StringComparison.Ordinal);

        using var cli = new CliRunner(server.BaseAddress);
        var show = await cli.RunAsync("models", "show", Model);
        Assert.True(show.ExitCode == 0, show.ToString());
        var lines = show.Output.Split('\n').Where(l => l.Contains("Deployment", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("failed", lines[0], StringComparison.Ordinal);
        Assert.True(show.Output.Contains(BrokenModel.OpType, StringComparison.Ordinal), show.ToString());
        Assert.Contains("ready", lines[1], StringComparison.Ordinal);
        await server.AssertLiveAsync();
    }

    internal static async Task<JsonElement?> DeploymentAsync(HttpClient client, int version)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/deployments");
        foreach (var d in list.GetProperty("deployments").EnumerateArray())
        {
            if (d.GetProperty("model").GetString() == Model && d.GetProperty("version").GetInt32() == version)
            {
                return d.Clone();
            }
        }

        return null;
    }
}
