namespace Maas.UnitTests.Cli;

public sealed class ServeTlsOptionTests
{
    [Fact]
    public async Task Serve_TlsCertAndKey_MapIntoServerOptions()
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("serve", "--tls-cert", "/etc/maas/server.crt", "--tls-key", "/etc/maas/server.key");

        Assert.Equal(0, exitCode);
        var options = Assert.Single(cli.ServedOptions);
        Assert.Equal("/etc/maas/server.crt", options.TlsCertificatePath);
        Assert.Equal("/etc/maas/server.key", options.TlsKeyPath);
    }

    [Fact]
    public async Task Serve_NoTlsFlags_LeavesItToConfiguration()
    {
        using var cli = new CliHarness();

        await cli.RunAsync("serve");

        var options = Assert.Single(cli.ServedOptions);
        Assert.Null(options.TlsCertificatePath);
        Assert.Null(options.TlsKeyPath);
    }
}
