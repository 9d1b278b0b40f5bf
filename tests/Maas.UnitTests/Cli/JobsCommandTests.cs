namespace Maas.UnitTests.Cli;

public sealed class JobsCommandTests
{
    private const string Jobs = """
        {"jobs":[
          {"id":"01m8xq7qzhty8g","kind":"quantize","parameters":{"model":"all-minilm-l6-v2","version":1,"method":"dynamic-int8","calibration":[1,2,3,4,5]},
           "state":"running","progress":0.42,"stage":"measuring throughput at batch 32 against the parent version","actor":"alice",
           "created_at":"2026-12-03T10:00:00Z","started_at":"2026-12-03T10:00:01Z"},
          {"id":"01m8xq7qzhty8h","kind":"quantize","parameters":{"model":"resnet18-features","method":"static-int8"},
           "state":"failed","progress":0.1,"actor":"bob","created_at":"2026-12-03T09:00:00Z",
           "error":"calibration input 3 has shape [1,3,200,200]; the model takes [1,3,224,224]"}]}
        """;

    [Fact]
    public async Task List_NarrowTerminal_EveryLineWithin80ColumnsWithIdsAndStates()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Jobs);
        using var cli = new CliHarness(width: 80);

        var exitCode = await cli.RunAsync("jobs", "list", "--state", "running", "--kind", "quantize", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        Assert.Equal(("/api/jobs", "?state=running&kind=quantize&limit=20"), (server.Single.Path, server.Single.Query));
        var lines = cli.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, $"{l.TrimEnd().Length} columns: {l}"));
        Assert.Contains(lines, l => l.Contains("01m8xq7qzhty8g", StringComparison.Ordinal) && l.Contains("running", StringComparison.Ordinal) && l.Contains("42%", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("01m8xq7qzhty8h", StringComparison.Ordinal) && l.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_UnknownState_UsageErrorWithoutRequest()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Jobs);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("jobs", "list", "--state", "sleeping", "--server", server.Url.ToString());

        Assert.Equal(2, exitCode);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Show_JobWithCalibration_PrintsFieldsAndCountsInlineInputs()
    {
        const string Job = """
            {"id":"01m8xq7qzhty8g","kind":"quantize","parameters":{"model":"all-minilm-l6-v2","version":1,"method":"dynamic-int8","calibration":[1,2,3,4,5]},
             "state":"succeeded","progress":1,"actor":"alice","created_at":"2026-12-03T10:00:00Z","result_model":"all-minilm-l6-v2","result_version":2,
             "summary":"0.26x size"}
            """;
        await using var server = await FakeMaasServer.StartAsync(200, Job);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("jobs", "show", "01m8xq7qzhty8g", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        Assert.Equal("/api/jobs/01m8xq7qzhty8g", server.Single.Path);
        Assert.Contains("all-minilm-l6-v2:2", cli.Output, StringComparison.Ordinal);
        Assert.Contains("\"calibration\":\"[5 items]\"", cli.Output, StringComparison.Ordinal);
        Assert.Contains("0.26x size", cli.Output, StringComparison.Ordinal);
    }
}
