namespace Maas.UnitTests.Cli;

public sealed class KeysCommandTests
{
    [Fact]
    public async Task Create_AllOptions_PostsThemAndPrintsOnlyTheKeyOnStdout()
    {
        const string Created = """{"id":"0123456789abcdef","name":"ci","role":"inference","models":["team-a-*"],"key":"maas_0123456789abcdef_secretsecretsecretsecret"}""";
        await using var server = await FakeMaasServer.StartAsync(201, Created);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("keys", "create", "--name", "ci", "--role", "inference", "--models", "team-a-*", "minilm", "--rps", "2.5", "--tpm", "600", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal(("POST", "/api/keys"), (server.Single.Method, server.Single.Path));
        using var body = System.Text.Json.JsonDocument.Parse(server.Single.Body);
        Assert.Equal("inference", body.RootElement.GetProperty("role").GetString());
        Assert.Equal(["team-a-*", "minilm"], body.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(2.5, body.RootElement.GetProperty("requests_per_second").GetDouble());
        Assert.Equal(600, body.RootElement.GetProperty("tokens_per_minute").GetInt32());
        Assert.Equal("maas_0123456789abcdef_secretsecretsecretsecret", cli.Output.Trim());
    }

    [Fact]
    public async Task Create_BadExpiry_FailsWithoutCallingTheServer()
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("keys", "create", "--name", "ci", "--role", "viewer", "--expires", "someday", "--server", "http://127.0.0.1:1");

        Assert.Equal(1, exitCode);
        Assert.Contains("--expires", cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_Id_SendsDelete()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"id":"0123456789abcdef","name":"ci","role":"viewer","state":"revoked"}""");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("keys", "revoke", "0123456789abcdef", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal(("DELETE", "/api/keys/0123456789abcdef"), (server.Single.Method, server.Single.Path));
    }

    [Fact]
    public async Task Audit_Filters_SentAsQuery()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"entries":[]}""");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("audit", "--actor", "ci", "--action", "auth.failure", "--since", "2026-12-01T00:00:00Z", "--limit", "5", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal("?actor=ci&action=auth.failure&since=2026-12-01T00%3A00%3A00.0000000%2B00%3A00&limit=5", server.Single.Query);
    }

    [Fact]
    public async Task Serve_AuthNone_PassedAsServerSetting()
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("serve", "--auth", "none");

        Assert.Equal(0, exitCode);
        Assert.Contains("--Maas:Auth:Mode=none", Assert.Single(cli.ServedSettings));
    }
}
