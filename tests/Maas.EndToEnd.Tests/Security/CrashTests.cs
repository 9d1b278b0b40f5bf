using System.Net;
using System.Security.Cryptography;
using System.Text;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.Registry;
using Maas.Registry;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>A real <c>maas serve</c> process killed with SIGKILL during pushes and during alias changes under inference
/// load, restarted on the same data folder: every acknowledged change is there and intact, nothing is half-written,
/// and the server serves.</summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int KiB = 1024;

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task Pushes_ProcessKilled_EveryAcknowledgedVersionPresentAndIntact(int seed)
    {
        var data = TempFolder.Create("maas-crash");
        var random = new Random(seed);
        var acknowledged = new List<(string Model, int Version, Dictionary<string, string> Files, float Constant)>();
        var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await using (var server = await ChildServer.StartAsync(data))
            {
                using var stop = new CancellationTokenSource();
                var pushers = Enumerable.Range(0, 3).Select(p => Task.Run(async () =>
                {
                    var local = new Random((seed * 100) + p);
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var constant = (p * 1000) + i;
                        var model = AddModel.Create(constant);
                        var weights = new byte[local.Next(16, 1024) * KiB];
                        local.NextBytes(weights);
                        using var form = new MultipartFormDataContent
                        {
                            { new ByteArrayContent(model), "file", "model.onnx" },
                            { new SlowContent(weights, chunkSize: 64 * KiB, pause: TimeSpan.FromMilliseconds(local.Next(0, 3))), "file", "weights.bin" },
                        };
                        try
                        {
                            using var response = await server.Client.PostAsync($"/api/models/crash-{p}/versions", form);
                            if (response.StatusCode == HttpStatusCode.Created)
                            {
                                var version = (await Json.ReadAsync(response)).GetProperty("version").GetInt32();
                                lock (acknowledged)
                                {
                                    acknowledged.Add(($"crash-{p}", version, new Dictionary<string, string>
                                    {
                                        ["model.onnx"] = AddModel.Sha256(model),
                                        ["weights.bin"] = AddModel.Sha256(weights),
                                    }, constant));
                                }

                                firstAcknowledged.TrySetResult();
                            }
                        }
                        catch (HttpRequestException)
                        {
                            return;
                        }
                        catch (TaskCanceledException)
                        {
                            return;
                        }
                    }
                })).ToArray();

                // The kill lands at a seeded moment after the first acknowledged push (timed from the start, a slow
                // machine could kill the server before any push was acknowledged, and the test would check nothing).
                await firstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(120));
                await Task.Delay(random.Next(400, 2500));
                await server.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(pushers);
            }

            output.WriteLine($"seed {seed}: {acknowledged.Count} pushes acknowledged before the kill");
            Assert.NotEmpty(acknowledged);
            await using (var restarted = await ChildServer.StartAsync(data))
            {
                foreach (var (model, version, files, constant) in acknowledged)
                {
                    var (status, details) = await Json.GetAsync(restarted.Client, $"/api/models/{model}");
                    Assert.True(status == HttpStatusCode.OK, $"{model} acknowledged but gone: {(int)status} {details}");
                    var info = details.GetProperty("versions").EnumerateArray().SingleOrDefault(v => v.GetProperty("version").GetInt32() == version);
                    Assert.True(info.ValueKind == System.Text.Json.JsonValueKind.Object, $"{model}:{version} acknowledged but gone");
                    foreach (var file in info.GetProperty("files").EnumerateArray())
                    {
                        var name = file.GetProperty("name").GetString()!;
                        Assert.Equal(files[name], file.GetProperty("sha256").GetString());

                        // The bytes the server hands out are the bytes that were pushed.
                        var bytes = await restarted.Client.GetByteArrayAsync($"/api/models/{model}/versions/{version}/files/{name}");
                        Assert.Equal(files[name], Convert.ToHexStringLower(SHA256.HashData(bytes)));
                    }
                }

                // Each model's newest acknowledged version serves.
                foreach (var last in acknowledged.GroupBy(a => a.Model).Select(g => g.MaxBy(a => a.Version)))
                {
                    var (status, result, body) = await AddModel.InferAsync(restarted.Client, $"/v2/models/{last.Model}/versions/{last.Version}/infer");
                    Assert.True(status == HttpStatusCode.OK, $"{last.Model}:{last.Version}: {(int)status} {body}");
                    Assert.Equal(AddModel.Expected(last.Constant), result);
                }
            }

            await AssertConsistentAsync(data);
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task AliasChanges_ProcessKilledUnderInferenceLoad_AliasIsAnAcknowledgedOrInFlightValueAndServes(int seed)
    {
        const string Model = "adder";
        var data = TempFolder.Create("maas-crash");
        var random = new Random(seed);
        var acknowledged = new List<int> { 1 };
        var inFlight = 0;
        var answers = new List<(HttpStatusCode Status, string Output)>();
        try
        {
            await using (var server = await ChildServer.StartAsync(data))
            {
                for (var v = 1; v <= 3; v++)
                {
                    using var form = new MultipartFormDataContent { { new ByteArrayContent(AddModel.Create(v)), "file", "model.onnx" } };
                    using var pushed = await server.Client.PostAsync($"/api/models/{Model}/versions", form);
                    Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
                }

                await SetAliasAsync(server.Client, Model, 1);
                var path = $"/v2/models/{Model}@prod/infer";
                Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, path)).Output);

                using var stop = new CancellationTokenSource();
                var load = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
                {
                    var seen = new List<(HttpStatusCode, string)>();
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            var (status, result, body) = await AddModel.InferAsync(server.Client, path);
                            seen.Add((status, status == HttpStatusCode.OK ? AddModel.Format(result) : body.ToString()));
                        }
                        catch (HttpRequestException)
                        {
                            break;
                        }
                        catch (TaskCanceledException)
                        {
                            break;
                        }
                    }

                    return seen;
                })).ToArray();
                var changer = Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var target = (i % 3) + 1;
                        Volatile.Write(ref inFlight, target);
                        try
                        {
                            if (await SetAliasAsync(server.Client, Model, target))
                            {
                                lock (acknowledged)
                                {
                                    acknowledged.Add(target);
                                }
                            }
                        }
                        catch (HttpRequestException)
                        {
                            return;
                        }
                        catch (TaskCanceledException)
                        {
                            return;
                        }
                    }
                });

                await Task.Delay(random.Next(500, 2000));
                await server.KillAsync();
                await stop.CancelAsync();
                await changer;
                answers = (await Task.WhenAll(load)).SelectMany(a => a).ToList();
            }

            output.WriteLine($"seed {seed}: {acknowledged.Count - 1} alias changes acknowledged, {answers.Count} inferences before the kill");
            Assert.True(acknowledged.Count > 3, "too few alias changes before the kill");
            Assert.NotEmpty(answers);

            // Under load, while the alias moved, every answer came from one of the versions, never an error.
            var valid = Enumerable.Range(1, 3).Select(v => AddModel.Format(AddModel.Expected(v))).ToHashSet();
            Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK && valid.Contains(a.Output), $"{(int)a.Status} {a.Output}"));

            await using (var restarted = await ChildServer.StartAsync(data))
            {
                var (status, details) = await Json.GetAsync(restarted.Client, $"/api/models/{Model}");
                Assert.Equal(HttpStatusCode.OK, status);
                var alias = details.GetProperty("aliases").GetProperty("prod").GetInt32();
                var last = acknowledged[^1];
                Assert.True(alias == last || alias == Volatile.Read(ref inFlight), $"alias prod is {alias}; last acknowledged {last}, in flight {inFlight}");
                Assert.Equal(3, details.GetProperty("versions").GetArrayLength());
                Assert.Equal(AddModel.Expected(alias), (await AddModel.InferAsync(restarted.Client, $"/v2/models/{Model}@prod/infer")).Output);
                for (var v = 1; v <= 3; v++)
                {
                    var bytes = await restarted.Client.GetByteArrayAsync($"/api/models/{Model}/versions/{v}/files/model.onnx");
                    Assert.Equal(AddModel.Sha256(AddModel.Create(v)), AddModel.Sha256(bytes));
                }
            }

            await AssertConsistentAsync(data);
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    private static async Task<bool> SetAliasAsync(HttpClient client, string model, int version)
    {
        using var content = new StringContent($$"""{"version": {{version}}}""", Encoding.UTF8, "application/json");
        using var response = await client.PutAsync($"/api/models/{model}/aliases/prod", content);
        return response.StatusCode == HttpStatusCode.NoContent;
    }

    /// <summary>Nothing half-written: the registry's own consistency check (a server in this process on the same
    /// folder, after the child has gone) finds no missing and no stray blobs, and no staging or spool files are left.</summary>
    private static async Task AssertConsistentAsync(string data)
    {
        await using var server = await MaasTestServer.StartAsync(dataDirectory: data);
        var report = await server.App.Services.GetRequiredService<ModelRegistry>().CheckConsistencyAsync(repair: false);
        Assert.True(report.IsConsistent, $"missing: {string.Join(", ", report.MissingBlobs)}; unreferenced: {string.Join(", ", report.UnreferencedBlobs)}");
        Assert.Empty(AddModel.EntriesIn(data, Path.Combine("artifacts", "tmp")));
        Assert.Empty(AddModel.EntriesIn(data, "uploads"));
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(data, "artifacts", "sha256"), "*", SearchOption.AllDirectories))
        {
            // Every stored file's content matches the digest it is stored under.
            await using var stream = File.OpenRead(blob);
            Assert.Equal(Path.GetFileName(blob), Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }
    }
}
