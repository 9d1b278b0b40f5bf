using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>A client that gives up half-way through a push: the running server cleans up after it without a restart.</summary>
public sealed class AbortedPushTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Push_ClientDisconnectsMidUpload_NoVersionAndNoLeftoverFiles()
    {
        await using var server = await MaasTestServer.StartAsync();
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
            () => Task.FromResult(AddModel.EntriesIn(server.DataDirectory, "uploads").Length + AddModel.EntriesIn(server.DataDirectory, Path.Combine("artifacts", "tmp")).Length),
            count => count == 0,
            TimeSpan.FromSeconds(10));
        Assert.Equal(0, leftovers);
        var (_, details) = await Json.GetAsync(server.Client, "/api/models/adder");
        Assert.Equal(1, details.GetProperty("versions").GetArrayLength());
        Assert.Equal([AddModel.Sha256(good)], AddModel.BlobsOnDisk(server.DataDirectory));
        var report = await server.App.Services.GetRequiredService<ModelRegistry>().CheckConsistencyAsync(repair: false);
        Assert.True(report.IsConsistent);
        await server.AssertLiveAsync();
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, "/v2/models/adder/infer")).Output);
    }
}
