using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Cli;

/// <summary><c>maas bench</c> against the real server and the sample model: the numbers a person would act on.</summary>
[Collection(SampleServerCollection.Name)]
public sealed class BenchAgainstServerTests(SampleServerFixture fixture) : IDisposable
{
    private const string Model = "all-minilm-l6-v2";

    private readonly CliRunner _cli = new(fixture.Server.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Bench_ConcurrencySweepJson_ReportsSaneNumbersPerLevel()
    {
        var result = await _cli.RunAsync(
            "bench", Model, "--concurrency", "1,2", "--requests", "20", "--warmup", "0s", "--batch", "2", "--json",
            "--server", fixture.Server.BaseAddress.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = JsonDocument.Parse(result.Output);
        var root = report.RootElement;
        Assert.Equal(Model, root.GetProperty("model").GetString());
        Assert.Equal(2, root.GetProperty("rows_per_request").GetInt32());
        var levels = root.GetProperty("levels").EnumerateArray().ToList();
        Assert.Equal([1, 2], levels.Select(l => l.GetProperty("concurrency").GetInt32()));
        foreach (var level in levels)
        {
            Assert.Equal(20, level.GetProperty("requests").GetInt32());
            Assert.Equal(20, level.GetProperty("succeeded").GetInt32());
            Assert.Equal(0, level.GetProperty("failed").GetInt32());
            Assert.Empty(level.GetProperty("errors").EnumerateArray());
            Assert.Equal(40, level.GetProperty("rows").GetInt64());
            Assert.True(level.GetProperty("throughput").GetDouble() > 0);
            Assert.Equal(2 * level.GetProperty("throughput").GetDouble(), level.GetProperty("rows_per_second").GetDouble(), 6);

            var latency = level.GetProperty("latency_ms");
            var ordered = new[] { "p50", "p90", "p95", "p99", "max" }.Select(p => latency.GetProperty(p).GetDouble()).ToArray();
            Assert.True(ordered[0] > 0, latency.ToString());
            Assert.Equal(ordered.Order(), ordered);

            // The server's own view of the same requests, from /metrics: it cannot take longer than the client saw.
            var serverMs = level.GetProperty("server").GetProperty("request_ms").GetDouble();
            Assert.InRange(serverMs, 0.001, ordered[^1]);
        }
    }

    [Fact]
    public async Task Bench_GrpcProtocol_AllRequestsSucceedAndServerCountsThem()
    {
        var result = await _cli.RunAsync(
            "bench", Model, "--protocol", "grpc", "--grpc-server", fixture.Server.GrpcAddress!.ToString(), "--concurrency", "2",
            "--requests", "12", "--warmup", "0s", "--batch", "3", "--json", "--server", fixture.Server.BaseAddress.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = JsonDocument.Parse(result.Output);
        Assert.Equal("grpc", report.RootElement.GetProperty("protocol").GetString());
        var level = Assert.Single(report.RootElement.GetProperty("levels").EnumerateArray());
        Assert.Equal(12, level.GetProperty("succeeded").GetInt32());
        Assert.Equal(36, level.GetProperty("rows").GetInt64());
        Assert.Empty(level.GetProperty("errors").EnumerateArray());

        // The server-side split comes from /metrics, where the gRPC requests are counted like REST ones.
        Assert.True(level.GetProperty("server").GetProperty("request_ms").GetDouble() > 0, level.ToString());
    }

    [Fact]
    public async Task Bench_PoissonRate_SendsTheRequestedCount()
    {
        var result = await _cli.RunAsync(
            "bench", Model, "--rate", "40", "--requests", "15", "--warmup", "0s", "--seed", "3", "--json",
            "--server", fixture.Server.BaseAddress.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = JsonDocument.Parse(result.Output);
        var level = Assert.Single(report.RootElement.GetProperty("levels").EnumerateArray());
        Assert.Equal(40, level.GetProperty("rate").GetDouble());
        Assert.Equal(15, level.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, level.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task Bench_UnknownModel_FailsWithTheServersMessage()
    {
        var result = await _cli.RunAsync("bench", "no-such-model", "--requests", "1", "--server", fixture.Server.BaseAddress.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no-such-model", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Table_ShowsEveryLevel()
    {
        var result = await _cli.RunAsync(
            "bench", Model, "--concurrency", "1,3", "--requests", "6", "--warmup", "0s", "--server", fixture.Server.BaseAddress.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("c=1", result.Output, StringComparison.Ordinal);
        Assert.Contains("c=3", result.Output, StringComparison.Ordinal);
        Assert.Contains("p99", result.Output, StringComparison.Ordinal);
    }
}
