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

        var exitCode = await cli.RunAsync("serve", "--data", "/srv/maas", "--host", "0.0.0.0", "--http-port", "9001", "--no-samples");

        Assert.Equal(0, exitCode);
        var options = Assert.Single(cli.ServedOptions);
        Assert.Equal("/srv/maas", options.DataDirectory);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(9001, options.HttpPort);
        Assert.False(options.RegisterSamples);
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
}
