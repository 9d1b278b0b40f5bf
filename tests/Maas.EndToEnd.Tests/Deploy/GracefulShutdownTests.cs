using System.Net;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Deploy;

/// <summary>What a pod's SIGTERM starts (the host stopping): requests already inside the server finish with their
/// answers, new connections are refused.</summary>
public sealed class GracefulShutdownTests
{
    private const string Model = "drain-adder";

    [Fact]
    public async Task Stop_RequestWaitingInTheBatchQueue_AnsweredBeforeTheServerStops()
    {
        // A lone request waits 1.5 s in the queue for others to join its batch: long enough to stop the host meanwhile.
        await using var server = await MaasTestServer.StartAsync(settings:
        [
            "Maas:Serving:Defaults:Instances=1",
            "Maas:Serving:Defaults:MaxQueueDelay=00:00:01.5",
        ]);
        await server.PushAsync(Model, AddModel.Files(4));
        var (warm, _, _) = await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/infer");
        Assert.Equal(HttpStatusCode.OK, warm);
        var service = server.App.Services.GetRequiredService<IInferenceService>();

        var inFlight = AddModel.InferAsync(server.Client, $"/v2/models/{Model}/infer");
        await WaitUntilQueuedAsync(service, inFlight);
        var stopping = server.App.StopAsync();
        var (status, output, _) = await inFlight;
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(AddModel.Expected(4), output);
        using var fresh = new HttpClient { BaseAddress = server.BaseAddress };
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("/v2/health/live"));
    }

    private static async Task WaitUntilQueuedAsync(IInferenceService service, Task request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (service.GetDeployments(Model).Sum(d => d.Queued) == 0)
        {
            Assert.False(request.IsCompleted, "the request ended before it was seen in the queue");
            Assert.True(DateTime.UtcNow < deadline, "the request never reached the queue");
            await Task.Delay(5);
        }
    }
}
