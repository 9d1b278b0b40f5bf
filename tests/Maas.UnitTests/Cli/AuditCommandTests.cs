namespace Maas.UnitTests.Cli;

public sealed class AuditCommandTests
{
    private const string Entries = """
        {"entries":[{"id":7,"at":"2025-01-02T03:04:05Z","actor":"alice","action":"alias.set","model":"minilm","version":2,"detail":"production -> 2"}]}
        """;

    [Fact]
    public async Task Audit_NoOptions_AsksForDefaultLimit()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Entries);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("audit", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal(("/api/audit", "?limit=50"), (server.Single.Path, server.Single.Query));
        Assert.Contains("alias.set", cli.Output, StringComparison.Ordinal);
        Assert.Contains("minilm:2", cli.Output, StringComparison.Ordinal);
        Assert.Contains("production -> 2", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_DetailNullMissingOrEmpty_PrintsDashNeverNull()
    {
        const string Body = """
            {"entries":[
              {"id":3,"at":"2025-01-02T03:04:05Z","actor":"alice","action":"version.delete","model":"minilm","version":2,"detail":null},
              {"id":2,"at":"2025-01-02T03:04:05Z","actor":"bob","action":"model.update","model":"minilm"},
              {"id":1,"at":"2025-01-02T03:04:05Z","actor":"carol","action":"alias.remove","model":"minilm","version":1,"detail":""}]}
            """;
        await using var server = await FakeMaasServer.StartAsync(200, Body);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("audit", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("null", cli.Output, StringComparison.OrdinalIgnoreCase);
        var rows = cli.Output.Split('\n').Where(l => l.Contains("minilm", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Matches(@"│ -\s+│$", r.TrimEnd()));
    }

    [Fact]
    public async Task Audit_ModelAndLimit_SendsThemAsQuery()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Entries);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("audit", "--model", "minilm", "--limit", "5", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal("?model=minilm&limit=5", server.Single.Query);
    }

    [Fact]
    public async Task Audit_ZeroLimit_ExitsWithUsageError()
    {
        using var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync("audit", "--limit", "0"));
    }
}
