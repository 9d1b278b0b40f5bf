using System.Threading.Channels;
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
        var received = Channel.CreateUnbounded<(string ContentType, byte[] Body)>();
        await using var collector = await StartCollectorAsync(received.Writer);
        await using var server = await MaasTestServer.StartAsync(settings:
        [
            $"Maas:Telemetry:OtlpEndpoint={collector.Urls.First()}",
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "OTEL_METRIC_EXPORT_INTERVAL=200",
        ]);
        await server.PushAsync("otlp-adder", AddModel.Files(1));
        await AddModel.InferAsync(server.Client, "/v2/models/otlp-adder/infer");

        // The exporter posts every 200 ms. A post can lack the runtime's process metrics (seen once in a full parallel
        // run of this suite: the first post carried the resource but not the working set; alone, the first post
        // always has it), so read posts until one carries them; every post read is checked the same way.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string text;
        do
        {
            var (contentType, body) = await received.Reader.ReadAsync(timeout.Token);
            Assert.Equal("application/x-protobuf", contentType);

            // Protobuf keeps strings as UTF-8, so the instrument and service names are readable in the payload.
            text = System.Text.Encoding.UTF8.GetString(body);
            Assert.Contains("maas", text, StringComparison.Ordinal);
        }
        while (!text.Contains("dotnet.process.memory.working_set", StringComparison.Ordinal));
    }

    private static async Task<WebApplication> StartCollectorAsync(ChannelWriter<(string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var collector = builder.Build();
        collector.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.TryWrite((context.Request.ContentType ?? string.Empty, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();
        return collector;
    }
}
