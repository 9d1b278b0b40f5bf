using System.CommandLine;
using Maas.Cli;
using Maas.Cli.Bench;
using Maas.Cli.Commands;

namespace Maas.UnitTests.Cli.Bench;

/// <summary>How <c>maas bench</c> reads its command line.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private BenchSettings? _settings;
    private bool _json;

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Parse_Defaults_ConcurrencyOneForTenSeconds()
    {
        var exitCode = await RunAsync("bench", "m");

        Assert.Equal(0, exitCode);
        var settings = Assert.IsType<BenchSettings>(_settings);
        Assert.Equal("m", settings.Model);
        Assert.Equal([new BenchLevel(1, null)], settings.Levels);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Duration);
        Assert.Null(settings.Requests);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Warmup);
        Assert.Equal("rest-json", settings.Protocol);
        Assert.Equal(1, settings.Batch);
        Assert.Equal(new Uri("http://127.0.0.1:8000"), settings.Server);
        Assert.False(_json);
    }

    [Fact]
    public async Task Parse_ConcurrencySweep_OneLevelPerValue()
    {
        var exitCode = await RunAsync("bench", "m@prod", "--concurrency", "1,2,4,8", "--duration", "500ms", "--warmup", "0s", "--batch", "4", "--json", "--server", "http://localhost:9000");

        Assert.Equal(0, exitCode);
        var settings = Assert.IsType<BenchSettings>(_settings);
        Assert.Equal([1, 2, 4, 8], settings.Levels.Select(l => l.Concurrency!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Duration);
        Assert.Equal(TimeSpan.Zero, settings.Warmup);
        Assert.Equal(4, settings.Batch);
        Assert.Equal(8, settings.MaxConnections);
        Assert.Equal(new Uri("http://localhost:9000"), settings.Server);
        Assert.True(_json);
    }

    [Fact]
    public async Task Parse_RateWithRequests_OpenLoopBoundedByCount()
    {
        var exitCode = await RunAsync("bench", "m", "--rate", "50,100.5", "--requests", "200", "--seed", "7", "--input", "body.json");

        Assert.Equal(0, exitCode);
        var settings = Assert.IsType<BenchSettings>(_settings);
        Assert.Equal([50, 100.5], settings.Levels.Select(l => l.Rate!.Value));
        Assert.All(settings.Levels, l => Assert.Null(l.Concurrency));
        Assert.Equal(200, settings.Requests);
        Assert.Null(settings.Duration);
        Assert.Equal(7, settings.Seed);
        Assert.Equal("body.json", settings.InputPath);
    }

    [Theory]
    [InlineData("--concurrency", "1,x", "--concurrency: '1,x' is not a list of positive integers")]
    [InlineData("--concurrency", "0", "--concurrency: '0' is not a list of positive integers")]
    [InlineData("--rate", "-5", "--rate: '-5' is not a list of positive rates")]
    [InlineData("--duration", "soon", "--duration: 'soon' is not a duration")]
    [InlineData("--duration", "0s", "--duration: '0s' is not a duration")]
    [InlineData("--requests", "0", "--requests must be 1 or more")]
    [InlineData("--batch", "0", "--batch must be between 1 and 65536")]
    [InlineData("--protocol", "carrier-pigeon", "carrier-pigeon")]
    public async Task Parse_BadValue_ExitsWithUsageAndSaysWhy(string option, string value, string message)
    {
        var exitCode = await RunAsync("bench", "m", option, value);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Null(_settings);
        Assert.Contains(message, _cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_ConcurrencyAndRate_IsRefused()
    {
        var exitCode = await RunAsync("bench", "m", "--concurrency", "2", "--rate", "10");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("either --concurrency (closed loop) or --rate (open loop)", _cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_DurationAndRequests_IsRefused()
    {
        var exitCode = await RunAsync("bench", "m", "--duration", "5s", "--requests", "10");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("either --duration or --requests", _cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rest-binary")]
    [InlineData("grpc")]
    public async Task Parse_OtherProtocols_Accepted(string protocol)
    {
        var exitCode = await RunAsync("bench", "m", "--protocol", protocol, "--grpc-server", "http://gpu-box:9001");

        Assert.Equal(0, exitCode);
        Assert.Equal(protocol, _settings!.Protocol);
        Assert.Equal(new Uri("http://gpu-box:9001"), _settings.GrpcAddress);
    }

    [Fact]
    public async Task Parse_NoGrpcServer_DefaultsToServerHostPort8001()
    {
        var exitCode = await RunAsync("bench", "m", "--protocol", "grpc", "--server", "http://models.local:8000");

        Assert.Equal(0, exitCode);
        Assert.Equal(new Uri("http://models.local:8001/"), _settings!.GrpcAddress);
    }

    [Fact]
    public async Task Run_NoServer_SaysItCannotReachIt()
    {
        var url = CliHarness.UnusedLoopbackUrl();

        var exitCode = await _cli.RunAsync("bench", "m", "--server", url);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"cannot reach the Maas server at {url}", _cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_HasBenchCommand() =>
        Assert.Contains(MaasRootCommand.Create(_cli.Context).Subcommands, c => c.Name == "bench");

    private Task<int> RunAsync(params string[] args)
    {
        var root = new RootCommand
        {
            BenchCommand.Create(_cli.Context, (settings, json, _) =>
            {
                _settings = settings;
                _json = json;
                return Task.FromResult(0);
            }),
        };
        return CliInvoker.InvokeAsync(root, args, _cli.Context);
    }
}
