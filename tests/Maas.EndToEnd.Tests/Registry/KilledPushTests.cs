using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Tests.Shared;
using Xunit.Abstractions;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>A push killed half-way leaves the registry consistent: no partial version, nothing referenced that is missing.</summary>
public sealed class KilledPushTests(ITestOutputHelper output)
{
    private const string Model = "adder";
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Push_ServerKilledMidUpload_RestartShowsOnlyCommittedVersionAndNoLeftovers()
    {
        var data = TempFolder.Create("maas-kill");
        try
        {
            var good = AddModel.Create(1);
            await using (var server = await ChildServer.StartAsync(data))
            {
                Assert.Equal(1, await PushAsync(server.Client, Model, [("model.onnx", good)]));

                var weights = RandomBytes(64 * MiB, seed: 7);
                var slow = new SlowContent(weights, chunkSize: 256 * 1024, pause: TimeSpan.FromMilliseconds(5), signalAfterBytes: 16 * MiB);
                using var form = new MultipartFormDataContent
                {
                    { new ByteArrayContent(AddModel.Create(2)), "file", "model.onnx" },
                    { slow, "file", "weights.bin" },
                };
                var push = server.Client.PostAsync($"/api/models/{Model}/versions", form);
                var first = await Task.WhenAny(slow.ThresholdReached, push);
                Assert.True(first == slow.ThresholdReached, $"the push ended before 16 MiB were sent:\n{server.Log}");

                // The spool holds the partial upload: the kill lands in the middle of a push, not after it.
                Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data, "uploads"), "*", SearchOption.AllDirectories));
                await server.KillAsync();
                await Assert.ThrowsAnyAsync<Exception>(() => push);
                Assert.True(slow.BytesSent < weights.Length, "the whole body went out before the kill");
            }

            await using (var restarted = await MaasTestServer.StartAsync(dataDirectory: data))
            {
                Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(restarted.Client, $"/v2/models/{Model}/infer")).Output);
                await KilledPushCheck.AssertConsistentAsync(restarted, FolderStoreProbe.ForDataDirectory(data), expected: [$"{Model}:1"], Model);
            }
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ConcurrentPushes_ServerKilledAtRandomMoment_RegistryStaysConsistent(int seed)
    {
        var data = TempFolder.Create("maas-kill");
        var random = new Random(seed);
        try
        {
            await using (var server = await ChildServer.StartAsync(data))
            {
                await PushAsync(server.Client, Model, AddModel.Files(1));
                var forms = new List<MultipartFormDataContent>();
                var pushes = new List<Task<HttpResponseMessage>>();
                for (var i = 0; i < 4; i++)
                {
                    // Sizes and pace vary, so the kill finds pushes spooling, staging, committing or done.
                    var weights = RandomBytes(random.Next(1, 12) * MiB, seed: (seed * 10) + i);
                    var form = new MultipartFormDataContent
                    {
                        { new ByteArrayContent(AddModel.Create(10 + i)), "file", "model.onnx" },
                        { new SlowContent(weights, chunkSize: 128 * 1024, pause: TimeSpan.FromMilliseconds(random.Next(0, 8))), "file", "weights.bin" },
                    };
                    forms.Add(form);
                    pushes.Add(server.Client.PostAsync($"/api/models/{(i % 2 == 0 ? Model : "other")}/versions", form));
                }

                await Task.Delay(random.Next(50, 800));
                await server.KillAsync();
                foreach (var push in pushes)
                {
                    try
                    {
                        (await push).Dispose();
                    }
                    catch (HttpRequestException)
                    {
                    }
                    catch (TaskCanceledException)
                    {
                    }
                }

                forms.ForEach(f => f.Dispose());
            }

            var store = FolderStoreProbe.ForDataDirectory(data);
            var versionsAfterKill = await ReadVersionsAsync(data);
            output.WriteLine($"seed {seed}: versions after kill {string.Join(", ", versionsAfterKill)}; spool entries {AddModel.EntriesIn(data, "uploads").Length}, staged {store.StagingEntries().Count}, blobs {(await store.BlobsAsync()).Count}");
            await using var fresh = await MaasTestServer.StartAsync(dataDirectory: data);
            await KilledPushCheck.AssertConsistentAsync(fresh, store, versionsAfterKill, Model);
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    /// <summary>The versions the killed server's database holds, read through a short-lived server on a copy (the real folder stays untouched).</summary>
    private static async Task<List<string>> ReadVersionsAsync(string data)
    {
        var copy = TempFolder.Create("maas-kill-copy");
        foreach (var file in Directory.EnumerateFiles(data).Where(f => Path.GetFileName(f).StartsWith("registry.db", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        await using var reader = await MaasTestServer.StartAsync(dataDirectory: copy);
        return await KilledPushCheck.ListVersionsAsync(reader.Client);
    }

    private static async Task<int> PushAsync(HttpClient client, string model, IEnumerable<(string Name, byte[] Content)> files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            form.Add(new ByteArrayContent(content), "file", name);
        }

        using var response = await client.PostAsync($"/api/models/{model}/versions", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"push failed: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("version").GetInt32();
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
