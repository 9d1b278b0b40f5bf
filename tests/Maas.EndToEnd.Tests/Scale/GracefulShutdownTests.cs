using Maas.Tests.Shared;
using System.Net;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.Registry;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>SIGTERM drains: readiness turns not-ready first, the request in flight still completes, then the process exits cleanly.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_PushInFlight_NotReadyFirstThenPushCompletesThenCleanExit()
    {
        var data = TempFolder.Create("maas-drain");
        try
        {
            await using var replica = new ReplicaProcess(
                "drain", FreePorts.Next(), data, ["Maas:Server:DrainDelay=00:00:01", "Maas:Server:ShutdownTimeout=00:00:30"]);
            await replica.StartAsync();

            // A push whose body trickles out over about 3 s.
            var model = AddModel.Create(7);
            var slow = new SlowContent(model, chunkSize: 16, pause: TimeSpan.FromMilliseconds(3000.0 * 16 / model.Length), signalAfterBytes: 16);
            using var form = new MultipartFormDataContent { { slow, "file", "model.onnx" } };
            var push = replica.Client.PostAsync("/api/models/drained/versions", form);
            await slow.ThresholdReached.WaitAsync(TimeSpan.FromSeconds(30));

            replica.Terminate();
            var notReady = await Eventually.WaitForAsync(
                () => ReadinessAsync(replica.Client), status => status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady);
            Assert.False(push.IsCompleted, "the push finished before readiness turned off; the test proves nothing");

            using var response = await push;
            Assert.True(response.IsSuccessStatusCode, $"in-flight push failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{replica.Log}");
            Assert.Equal(0, await replica.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("readiness is now not-ready", replica.Log, StringComparison.Ordinal);
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    /// <summary>The readiness status, or 0 when the listener is closed.</summary>
    private static async Task<HttpStatusCode> ReadinessAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/v2/health/ready");
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
