using System.Net;
using System.Text.Json;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.Registry;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.Jobs;

/// <summary>A <c>maas serve</c> process killed (SIGKILL) while a quantize job runs: after a restart on the same data
/// folder the job is interrupted with its reason, no version was registered, its work folder is gone, and a new job
/// runs to the end.</summary>
public sealed class KilledJobTests
{
    private const string Model = "proj";
    private const int Width = 64;

    [Fact]
    public async Task QuantizeJob_ServerKilledWhileRunning_RestartMarksItInterruptedAndRunsANewJob()
    {
        var data = TempFolder.Create("maas-killed-job");
        try
        {
            string id;

            // Long measurement rounds keep the job running (in its measuring stage) until the kill.
            var slow = new Dictionary<string, string>
            {
                ["Maas__Optimization__Report__Rounds"] = "101",
                ["Maas__Optimization__Report__MeasurementTime"] = "00:00:02",

                // The restarted server is the same replica: it settles the jobs it owned at once (another replica's would
                // wait for their lease to expire).
                ["Maas__Server__ReplicaId"] = "killed-job-test",
            };
            await using (var server = await ChildServer.StartAsync(data, environment: slow))
            {
                await PushAsync(server.Client);
                id = await SubmitAsync(server.Client);
                var running = await Eventually.WaitForAsync(
                    () => GetJobAsync(server.Client, id),
                    j => j.GetProperty("state").GetString() is not ("queued" or "running") || j.GetProperty("progress").GetDouble() >= 0.6,
                    TimeSpan.FromSeconds(30));
                Assert.True(running.GetProperty("state").GetString() == "running", $"the job is not running but {running}:\n{server.Log}");
                var work = Path.Combine(data, "jobs", id);
                Assert.True(Directory.Exists(Path.Combine(work, "result")), $"no work folder with a result at {work}");

                await server.KillAsync();
            }

            var fast = new Dictionary<string, string>
            {
                ["Maas__Optimization__Report__Rounds"] = "3",
                ["Maas__Optimization__Report__MeasurementTime"] = "00:00:00.020",
                ["Maas__Server__ReplicaId"] = "killed-job-test",
            };
            await using (var restarted = await ChildServer.StartAsync(data, environment: fast))
            {
                var job = await GetJobAsync(restarted.Client, id);
                Assert.Equal("interrupted", job.GetProperty("state").GetString());
                Assert.Contains("the server stopped", job.GetProperty("error").GetString(), StringComparison.Ordinal);
                Assert.True(!job.TryGetProperty("result_version", out var version) || version.ValueKind == JsonValueKind.Null, $"{job}");

                var (status, details) = await Json.GetAsync(restarted.Client, $"/api/models/{Model}");
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Equal(1, Assert.Single(details.GetProperty("versions").EnumerateArray()).GetProperty("version").GetInt32());
                Assert.False(Directory.Exists(Path.Combine(data, "jobs", id)), "the interrupted job's work folder was left behind");
                Assert.Empty(AddModel.EntriesIn(data, Path.Combine("artifacts", "tmp")));

                var second = await SubmitAsync(restarted.Client);
                var done = await Eventually.WaitForAsync(
                    () => GetJobAsync(restarted.Client, second),
                    j => j.GetProperty("state").GetString() is not ("queued" or "running"),
                    TimeSpan.FromSeconds(40));
                Assert.True(done.GetProperty("state").GetString() == "succeeded", $"the new job ended {done}:\n{restarted.Log}");
                Assert.Equal(2, done.GetProperty("result_version").GetInt32());
                Assert.False(Directory.Exists(Path.Combine(data, "jobs", second)));
            }
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    private static async Task PushAsync(HttpClient client)
    {
        var model = new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, Width])
            .AddInitializer("w", TensorDataType.Fp32, [Width, Width], Enumerable.Range(0, Width * Width).Select(i => (float)Math.Sin(i)).ToArray())
            .AddOutput("y", TensorDataType.Fp32, [-1, Width])
            .AddNode("MatMul", ["x", "w"], ["y"])
            .ToBytes();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(model), "file", "model.onnx" } };
        using var response = await client.PostAsync($"/api/models/{Model}/versions", form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> SubmitAsync(HttpClient client)
    {
        var (status, job) = await Json.PostAsync(client, "/api/jobs", $$$"""{"kind":"quantize","parameters":{"model":"{{{Model}}}","method":"dynamic-int8"}}""");
        Assert.True(status == HttpStatusCode.Accepted, $"{(int)status} {job}");
        return job.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> GetJobAsync(HttpClient client, string id)
    {
        var (status, job) = await Json.GetAsync(client, $"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        return job;
    }
}
