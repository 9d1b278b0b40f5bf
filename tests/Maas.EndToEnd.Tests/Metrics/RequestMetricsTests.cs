using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Metrics;

/// <summary>Requests to every protocol show on <c>/metrics</c> by model, version, protocol and outcome, next to the
/// process' own CPU and memory.</summary>
public sealed class RequestMetricsTests : IAsyncLifetime
{
    private const string Model = "metrics-adder";

    private MaasTestServer? _server;

    private MaasTestServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await MaasTestServer.StartAsync();
        await Server.PushAsync(Model, AddModel.Files(1));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Metrics_AfterRequests_CountThemByProtocolAndOutcome()
    {
        Assert.Equal(HttpStatusCode.OK, (await AddModel.InferAsync(Server.Client, $"/v2/models/{Model}/infer")).Status);
        Assert.Equal(HttpStatusCode.OK, (await AddModel.InferAsync(Server.Client, $"/v2/models/{Model}/versions/1/infer")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Json.PostAsync(Server.Client, $"/v2/models/{Model}/infer", """{"inputs": 5}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await AddModel.InferAsync(Server.Client, "/v2/models/no-such-model/infer")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(Server.Client, $"/models/{Model}/predict", """{"input": [[1, 2, 3]]}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Json.PostAsync(Server.Client, "/v1/embeddings", $$"""{"model": "{{Model}}", "input": "hi"}""")).Status);

        var text = await Server.Client.GetStringAsync("/metrics");

        Assert.Equal(2, Value(text, $$"""maas_server_requests_total{maas_model="{{Model}}",maas_version="1",outcome="ok",protocol="v2"}"""));
        Assert.Equal(1, Value(text, $$"""maas_server_requests_total{maas_model="{{Model}}",maas_version="1",outcome="invalid",protocol="v2"}"""));
        Assert.Equal(1, Value(text, """maas_server_requests_total{outcome="not_found",protocol="v2"}"""));
        Assert.Equal(1, Value(text, $$"""maas_server_requests_total{maas_model="{{Model}}",maas_version="1",outcome="ok",protocol="predict"}"""));
        Assert.Equal(1, Value(text, $$"""maas_server_requests_total{maas_model="{{Model}}",maas_version="1",outcome="invalid",protocol="openai"}"""));
        Assert.Equal(2, Value(text, $$"""maas_server_request_duration_seconds_count{maas_model="{{Model}}",maas_version="1",outcome="ok",protocol="v2"}"""));
        Assert.Contains("# TYPE maas_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains($$"""maas_server_request_duration_seconds_bucket{maas_model="{{Model}}",maas_version="1",outcome="ok",protocol="v2",le="0.0005"}""", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_Always_ExposeProcessCpuAndMemory()
    {
        var text = await Server.Client.GetStringAsync("/metrics");

        Assert.True(Value(text, "dotnet_process_memory_working_set_bytes") > 0, text);
        Assert.Contains("# TYPE dotnet_process_cpu_time_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_heap_total_allocated_bytes_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_Scrape_AnswersPrometheusContentType()
    {
        using var response = await Server.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }

    private static double Value(string text, string series)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(series) + " ([^ \n]+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no series {series} in:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
