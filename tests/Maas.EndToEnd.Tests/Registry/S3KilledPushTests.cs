using System.Net;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Tests.Shared;
using Xunit.Abstractions;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>Pushes into an S3 bucket killed at seeded random moments (some mid-multipart): the restart is consistent and every surviving version loads.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3KilledPushTests(S3rverFixture fixture, ITestOutputHelper output)
{
    private const string Model = "adder";
    private const string Prefix = "kill";
    private const int MiB = 1024 * 1024;

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task ConcurrentPushesToBucket_ServerKilledAtRandomMoment_RestartConsistent(int seed)
    {
        var s3 = fixture.Server;
        var bucket = await s3.CreateBucketAsync();

        // Parts of 5 MiB above 6 MiB: the larger pushes are multipart uploads when the kill lands.
        var settings = s3.Settings(bucket, Prefix).Concat(["Maas:Registry:S3:MultipartThreshold=6291456", "Maas:Registry:S3:PartSize=5242880"]).ToList();
        var data = TempFolder.Create("maas-s3-kill");
        var random = new Random(seed);
        try
        {
            await using (var server = await ChildServer.StartAsync(data, settings))
            {
                await PushAsync(server.Client, Model, AddModel.Files(1));
                var forms = new List<MultipartFormDataContent>();
                var pushes = new List<Task<HttpResponseMessage>>();
                for (var i = 0; i < 4; i++)
                {
                    var weights = new byte[random.Next(1, 16) * MiB];
                    new Random((seed * 10) + i).NextBytes(weights);
                    var form = new MultipartFormDataContent
                    {
                        { new ByteArrayContent(AddModel.Create(10 + i)), "file", "model.onnx" },
                        { new SlowContent(weights, chunkSize: 128 * 1024, pause: TimeSpan.FromMilliseconds(random.Next(0, 4))), "file", "weights.bin" },
                    };
                    forms.Add(form);
                    pushes.Add(server.Client.PostAsync($"/api/models/{(i % 2 == 0 ? Model : "other")}/versions", form));
                }

                await Task.Delay(random.Next(200, 1500));
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

            var store = new S3StoreProbe(s3, bucket, Prefix, data);
            output.WriteLine($"seed {seed}: staged files after kill {store.StagingEntries().Count}, objects {(await store.BlobsAsync()).Count}");
            await using var fresh = await MaasTestServer.StartAsync(settings: settings, dataDirectory: data);
            var versions = await KilledPushCheck.AssertConsistentAsync(fresh, store, expected: null, Model);
            output.WriteLine($"seed {seed}: versions after restart {string.Join(", ", versions)}");
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    private static async Task PushAsync(HttpClient client, string model, IEnumerable<(string Name, byte[] Content)> files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            form.Add(new ByteArrayContent(content), "file", name);
        }

        using var response = await client.PostAsync($"/api/models/{model}/versions", form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"push failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
