using System.Diagnostics;
using System.Net;
using System.Text;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Maas.EndToEnd.Tests.Tracing;

/// <summary>Traces leave the process over OTLP when an endpoint is configured, and nothing traces when none is.</summary>
public sealed class OtlpTraceExportTests
{
    [Fact]
    public async Task Server_OtlpEndpointConfigured_ExportsTheCallersTraceOverHttpProtobuf()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var idBytes = Convert.FromHexString(traceId.ToHexString());
        var received = new TaskCompletionSource<(string ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Spans leave in batches as they end (the server's own span last): wait until what arrived holds the whole trace.
        await using var collector = await StartCollectorAsync(
            body => body.AsSpan().IndexOf(idBytes) >= 0 && new[] { "maas.request", "maas.engine", "POST /v2/models/{name}/infer" }.All(n => Encoding.UTF8.GetString(body).Contains(n, StringComparison.Ordinal)),
            received);
        await using var server = await MaasTestServer.StartAsync(settings:
        [
            $"Maas:Telemetry:OtlpEndpoint={collector.Urls.First()}",
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "OTEL_BSP_SCHEDULE_DELAY=100",
        ]);
        await server.PushAsync("otlp-traced", AddModel.Files(1));
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/otlp-traced/infer")
        {
            Content = new StringContent("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (contentType, body) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("application/x-protobuf", contentType);

        // Protobuf keeps strings as UTF-8 and ids as raw bytes: the caller's trace id and the span names are in it.
        Assert.Contains("otlp-traced", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_NothingConfigured_HasNoTracerProvider()
    {
        await using var server = await MaasTestServer.StartAsync();

        Assert.Null(server.App.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task Server_TracingEnabledWithoutEndpoint_HasTracerProvider()
    {
        await using var server = await MaasTestServer.StartAsync(settings: ["Maas:Telemetry:Tracing:Enabled=true"]);

        Assert.NotNull(server.App.Services.GetService<TracerProvider>());
    }

    private static async Task<WebApplication> StartCollectorAsync(Func<byte[], bool> wanted, TaskCompletionSource<(string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var collector = builder.Build();
        var all = new MemoryStream();
        collector.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            byte[] bytes;
            lock (all)
            {
                body.WriteTo(all);
                bytes = all.ToArray();
            }

            if (wanted(bytes))
            {
                received.TrySetResult((context.Request.ContentType ?? string.Empty, bytes));
            }

            return Results.Ok();
        });
        collector.MapPost("/v1/metrics", () => Results.Ok());
        await collector.StartAsync();
        return collector;
    }
}
