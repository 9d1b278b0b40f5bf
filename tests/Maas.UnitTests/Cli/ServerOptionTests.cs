namespace Maas.UnitTests.Cli;

public sealed class ServerOptionTests
{
    [Fact]
    public async Task Server_FromEnvironment_IsUsedWhenNoOptionGiven()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"models":[]}""");
        using var cli = new CliHarness();
        cli.Environment["MAAS_SERVER"] = server.Url.ToString();

        var exitCode = await cli.RunAsync("models", "list");

        Assert.Equal(0, exitCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Server_OptionGiven_WinsOverEnvironment()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"models":[]}""");
        using var cli = new CliHarness();
        cli.Environment["MAAS_SERVER"] = CliHarness.UnusedLoopbackUrl();

        var exitCode = await cli.RunAsync("models", "list", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Server_NothingListening_PrintsCannotReachAndExitsWithOne()
    {
        var url = CliHarness.UnusedLoopbackUrl();
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "list", "--server", url);

        Assert.Equal(1, exitCode);
        Assert.Contains($"cannot reach the Maas server at {url}", cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_EnvironmentNotUrl_ExitsWithUsageError()
    {
        using var cli = new CliHarness();
        cli.Environment["MAAS_SERVER"] = "localhost-without-scheme";

        var exitCode = await cli.RunAsync("models", "list");

        Assert.Equal(2, exitCode);
        Assert.Contains("MAAS_SERVER", cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_WithPathPrefix_KeepsPrefixInRequests()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"models":[]}""");
        using var cli = new CliHarness();

        await cli.RunAsync("models", "list", "--server", new Uri(server.Url, "/maas").ToString());

        Assert.Equal("/maas/api/models", server.Single.Path);
    }
}
