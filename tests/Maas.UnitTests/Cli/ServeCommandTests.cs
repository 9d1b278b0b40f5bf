using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Cli;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_NoOptions_RunsServerWithDefaults()
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("serve");

        Assert.Equal(0, exitCode);
        var options = Assert.Single(cli.ServedOptions);
        Assert.Equal("./maas-data", options.DataDirectory);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(8000, options.HttpPort);
        Assert.True(options.RegisterSamples);
    }

    [Fact]
    public async Task Serve_AllOptions_MapIntoServerOptions()
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("serve", "--data", "/srv/maas", "--host", "0.0.0.0", "--http-port", "9001", "--grpc-port", "9002", "--no-samples");

        Assert.Equal(0, exitCode);
        var options = Assert.Single(cli.ServedOptions);
        Assert.Equal("/srv/maas", options.DataDirectory);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(9001, options.HttpPort);
        Assert.Equal(9002, options.GrpcPort);
        Assert.False(options.RegisterSamples);
    }

    [Fact]
    public async Task Serve_NoGrpcPort_LeavesItToConfiguration()
    {
        using var cli = new CliHarness();

        await cli.RunAsync("serve");

        Assert.Null(Assert.Single(cli.ServedOptions).GrpcPort);
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("-1")]
    public async Task Serve_BadGrpcPort_ExitsWithUsageErrorWithoutStarting(string port)
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("serve", "--grpc-port", port);

        Assert.Equal(2, exitCode);
        Assert.Empty(cli.ServedOptions);
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("-1")]
    [InlineData("http")]
    public async Task Serve_BadPort_ExitsWithUsageErrorWithoutStarting(string port)
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("serve", "--http-port", port);

        Assert.Equal(2, exitCode);
        Assert.Empty(cli.ServedOptions);
    }

    [Fact]
    public async Task Serve_Cancelled_StopsServerAndExitsCleanly()
    {
        using var cli = new CliHarness();
        var stopped = false;
        cli.RunServer = async (_, cancellationToken) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                stopped = true;
            }
        };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var exitCode = await cli.RunAsync(["serve"], cancellation.Token);

        Assert.Equal(0, exitCode);
        Assert.True(stopped);
    }

    [Fact]
    public async Task Serve_ConfigurationArguments_PassedToServerWithFlagsStillParsed()
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(
            "serve", "--Maas:Serving:Defaults:IntraOpThreads=2", "--http-port", "9001", "--Maas:Limits:MaxTensorElements", "1000");

        Assert.Equal(0, exitCode);
        Assert.Equal(9001, Assert.Single(cli.ServedOptions).HttpPort);
        Assert.Equal(["--Maas:Serving:Defaults:IntraOpThreads=2", "--Maas:Limits:MaxTensorElements", "1000"], Assert.Single(cli.ServedSettings));
    }

    [Fact]
    public async Task Serve_NoConfigurationArguments_PassesNone()
    {
        using var cli = new CliHarness();

        await cli.RunAsync("serve", "--no-samples");

        Assert.Empty(Assert.Single(cli.ServedSettings));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("extra")]
    [InlineData("--Maas:")]
    [InlineData("--Maas:Serving:Defaults:IntraOpThreads")]
    [InlineData("--Maas:Serving:Defaults:IntraOpThreads", "--no-samples")]
    public async Task Serve_UnknownOrIncompleteArgument_ExitsWithUsageErrorWithoutStarting(params string[] extra)
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(["serve", .. extra]);

        Assert.Equal(2, exitCode);
        Assert.Empty(cli.ServedOptions);
        Assert.Contains(extra[0], cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ReadmeConfigurationArgument_ReachesTheServersOptions()
    {
        using var folder = new TempFolder();
        using var cli = new CliHarness();
        Maas.Serving.ServingOptions? serving = null;
        Maas.Server.Http.ServerLimitsOptions? limits = null;
        var context = new Maas.Cli.CliContext
        {
            Out = cli.Context.Out,
            Error = cli.Context.Error,
            RunServer = async (options, settings, _) =>
            {
                await using var app = Maas.Server.MaasServer.Build(options, settings);
                serving = app.Services.GetRequiredService<IOptions<Maas.Serving.ServingOptions>>().Value;
                limits = app.Services.GetRequiredService<IOptions<Maas.Server.Http.ServerLimitsOptions>>().Value;
            },
        };

        var exitCode = await Maas.Cli.CliInvoker.InvokeAsync(
            Maas.Cli.Commands.MaasRootCommand.Create(context),
            ["serve", "--data", folder.Path, "--Maas:Serving:Defaults:IntraOpThreads=2", "--Maas:Limits:MaxTensorElements", "1000"],
            context);

        Assert.Equal(0, exitCode);
        Assert.Equal(2, serving?.Defaults.IntraOpThreads);
        Assert.Equal(1000, limits?.MaxTensorElements);
    }
}
