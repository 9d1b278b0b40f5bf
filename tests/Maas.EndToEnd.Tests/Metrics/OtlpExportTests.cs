using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Maas.EndToEnd.Tests.Metrics;

/// <summary>With an OTLP endpoint configured, the same meters reach a collector.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Server_OtlpEndpointConfigured_PostsMetricsOverHttpProtobuf()
    {
        var received = new TaskCompletionSource<(string ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await StartCollectorAsync(received);
        await using var server = await MaasTestServer.StartAsync(settings:
        [
            $"Maas:Telemetry:OtlpEndpoint={collector.Urls.First()}",
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "OTEL_METRIC_EXPORT_INTERVAL=200",
        ]);
        await server.PushAsync("otlp-adder", AddModel.Files(1));
        await AddModel.InferAsync(server.Client, "/v2/models/otlp-adder/infer");

        var (contentType, body) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("application/x-protobuf", contentType);

        // Protobuf keeps strings as UTF-8, so the instrument and service names are readable in the payload.
        var text = System.Text.Encoding.UTF8.GetString(body);
        Assert.Contains("maas", text, StringComparison.Ordinal);
        Assert.Contains("dotnet.process.memory.working_set", text, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartCollectorAsync(TaskCompletionSource<(string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var collector = builder.Build();
        collector.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.TrySetResult((context.Request.ContentType ?? string.Empty, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();
        return collector;
    }
}
