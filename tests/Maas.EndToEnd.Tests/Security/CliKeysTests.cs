using Maas.EndToEnd.Tests.Cli;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Security;

/// <summary><c>maas keys</c> and <c>maas audit</c> against a server that requires keys, with <c>MAAS_API_KEY</c>.</summary>
public sealed class CliKeysTests
{
    [Fact]
    public async Task KeysCreateListRevoke_AdminKeyFromEnvironment_WorksAndIsAudited()
    {
        await using var server = await MaasTestServer.StartAsync(settings: ["Maas:Auth:Mode=required"]);
        using var cli = new CliRunner(server.BaseAddress);
        var noKey = await cli.RunAsync("keys", "list");
        cli.Environment["MAAS_API_KEY"] = (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin.key"))).Trim();

        var created = await cli.RunAsync("keys", "create", "--name", "app", "--role", "inference", "--models", "team-a-*", "--expires", "30d");
        var key = created.Output.Trim();
        var listed = await cli.RunAsync("keys", "list");
        var audit = await cli.RunAsync("audit", "--action", "key.create", "--since", "1h");
        cli.Environment["MAAS_API_KEY"] = key;
        var asInference = await cli.RunAsync("models", "list");
        cli.Environment["MAAS_API_KEY"] = (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin.key"))).Trim();
        var revoked = await cli.RunAsync("keys", "revoke", key.Split('_')[1]);
        var listedAfter = await cli.RunAsync("keys", "list");

        Assert.Equal(1, noKey.ExitCode);
        Assert.Contains("Authentication required", noKey.Error, StringComparison.Ordinal);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.StartsWith("maas_", key, StringComparison.Ordinal);
        Assert.Contains("app", listed.Output, StringComparison.Ordinal);
        Assert.Contains("team-a-*", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);
        Assert.Contains("key.create", audit.Output, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", audit.Output, StringComparison.Ordinal);
        Assert.Equal(1, asInference.ExitCode);
        Assert.Contains("may not", asInference.Error, StringComparison.Ordinal);
        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains("revoked", listedAfter.Output, StringComparison.Ordinal);
    }
}
