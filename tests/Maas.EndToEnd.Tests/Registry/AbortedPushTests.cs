using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Registry;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>A client that gives up half-way through a push: the running server cleans up after it without a restart.</summary>
/// <remarks>Runs on the folder store and on S3 (the nested classes), looked at through the same <see cref="ArtifactStoreProbe"/>.</remarks>
public abstract class AbortedPushTests
{
    private const int MiB = 1024 * 1024;

    public sealed class Folder : AbortedPushTests
    {
        protected override Task<(IReadOnlyList<string> Settings, Func<string, ArtifactStoreProbe> Probe)> StoreAsync() =>
            Task.FromResult<(IReadOnlyList<string>, Func<string, ArtifactStoreProbe>)>(([], FolderStoreProbe.ForDataDirectory));
    }

    [Collection(S3rverCollection.Name)]
    public sealed class S3(S3rverFixture fixture) : AbortedPushTests
    {
        protected override async Task<(IReadOnlyList<string> Settings, Func<string, ArtifactStoreProbe> Probe)> StoreAsync()
        {
            var bucket = await fixture.Server.CreateBucketAsync();
            return ([.. fixture.Server.Settings(bucket, "aborted")], data => new S3StoreProbe(fixture.Server, bucket, "aborted", data));
        }
    }

    [Fact]
    public async Task Push_ClientDisconnectsMidUpload_NoVersionAndNoLeftoverFiles()
    {
        var (settings, probe) = await StoreAsync();
        await using var server = await MaasTestServer.StartAsync(settings: settings);
        var store = probe(server.DataDirectory);
        var good = AddModel.Create(1);
        await server.PushAsync("adder", [("model.onnx", good)]);
        var weights = new byte[32 * MiB];
        new Random(3).NextBytes(weights);
        var slow = new SlowContent(weights, chunkSize: 256 * 1024, pause: TimeSpan.FromMilliseconds(5), signalAfterBytes: 8 * MiB);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(AddModel.Create(2)), "file", "model.onnx" },
            { slow, "file", "weights.bin" },
        };
        using var cancel = new CancellationTokenSource();

        var push = server.Client.PostAsync("/api/models/adder/versions", form, cancel.Token);
        Assert.Same(slow.ThresholdReached, await Task.WhenAny(slow.ThresholdReached, push));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => push);

        // The server notices the abort asynchronously; its spool folder must go away without a restart.
        var leftovers = await Eventually.WaitForAsync(
            () => Task.FromResult(AddModel.EntriesIn(server.DataDirectory, "uploads").Length + store.StagingEntries().Count),
            count => count == 0,
            TimeSpan.FromSeconds(10));
        Assert.Equal(0, leftovers);
        var (_, details) = await Json.GetAsync(server.Client, "/api/models/adder");
        Assert.Equal(1, details.GetProperty("versions").GetArrayLength());
        Assert.Equal([AddModel.Sha256(good)], await store.BlobsAsync());
        var report = await server.App.Services.GetRequiredService<ModelRegistry>().CheckConsistencyAsync(repair: false);
        Assert.True(report.IsConsistent);
        await server.AssertLiveAsync();
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, "/v2/models/adder/infer")).Output);
    }

    /// <summary>Server settings that select this store, and a probe of it for a server's data folder.</summary>
    protected abstract Task<(IReadOnlyList<string> Settings, Func<string, ArtifactStoreProbe> Probe)> StoreAsync();
}
