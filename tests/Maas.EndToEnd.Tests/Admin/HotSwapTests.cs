using System.Diagnostics;
using System.Net;
using System.Text;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>Moving the production alias while clients keep calling: no request fails, and answers switch once from v1 to v2.</summary>
public sealed class HotSwapTests
{
    private const string Model = "adder";
    private const int Clients = 4;

    [Fact]
    public async Task MoveProductionAlias_UnderLoad_NoRequestFailsAndOutputsSwitch()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1), alias: "production");
        await server.PushAsync(Model, AddModel.Files(2));
        var path = $"/v2/models/{Model}/infer";
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);

        var v1 = AddModel.Format(AddModel.Expected(1));
        var v2 = AddModel.Format(AddModel.Expected(2));
        var clock = Stopwatch.StartNew();
        var minimum = TimeSpan.FromSeconds(2);
        var deadline = TimeSpan.FromSeconds(30);
        using var load = InferenceLoad.Start(server.Client, path, Clients);

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        using (var content = new StringContent("{\"version\": 2}", Encoding.UTF8, "application/json"))
        using (var moved = await server.Client.PutAsync($"/api/models/{Model}/aliases/production", content))
        {
            Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        }

        // Keep the load on until the swap has clearly finished (a v2 answer seen by a fresh request), at least 2 s in all.
        await Eventually.WaitForAsync(() => AddModel.InferAsync(server.Client, path), r => r.Output.SequenceEqual(AddModel.Expected(2)), deadline);
        var remaining = minimum - clock.Elapsed;
        await Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(300));
        var results = await load.StopAsync();

        var all = results.SelectMany(r => r).ToList();
        Assert.True(all.Count > Clients * 4, $"only {all.Count} requests ran");
        Assert.All(all, r => Assert.True(r.Status == HttpStatusCode.OK, $"request failed: {(int)r.Status} {r.Output}"));
        Assert.All(all, r => Assert.Contains(r.Output, new[] { v1, v2 }));
        Assert.Contains(all, r => r.Output == v1);
        foreach (var sequence in results)
        {
            // Each client's requests run one after another, so once v2 answers, v1 must never answer again.
            var firstV2 = sequence.FindIndex(r => r.Output == v2);
            Assert.True(firstV2 >= 0, "a client never saw version 2");
            Assert.DoesNotContain(sequence.Skip(firstV2), r => r.Output == v1);
        }

        await server.AssertLiveAsync();
    }
}
