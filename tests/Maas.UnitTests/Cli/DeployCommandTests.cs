using System.Text.Json;

namespace Maas.UnitTests.Cli;

public sealed class DeployCommandTests
{
    private const string Stored = """
        {"model":"minilm","overrides":{"max_batch_size":16,"max_queue_delay_ms":2},
         "effective":{"instances":0,"intra_op_threads":0,"max_batch_size":16,"max_queue_delay_ms":2,"max_queue":64,"request_timeout_ms":300000,"preload":true,"keep_alive_ms":300000},
         "updated_at":"2025-01-02T03:04:05Z","updated_by":"alice"}
        """;

    private const string LongDeployments = """
        {"deployments":[
          {"model":"all-minilm-l6-v2","version":1,"state":"ready","settings":{"max_batch_size":32},"loaded_at":"2025-01-02T03:04:05Z","load_ms":120,
           "memory_bytes":90893412,"in_flight":12,"queued":140,"running":8,"last_used_at":"2025-01-02T04:05:06Z","pinned":true},
          {"model":"all-minilm-l6-v2","version":2,"state":"failed","settings":{"max_batch_size":32},"memory_bytes":0,"in_flight":0,"queued":0,"running":0,
           "last_error":"unknown op type Bogus in node /encoder/layer.0/attention/self/Bogus_0","last_error_at":"2025-01-02T03:05:05Z"}]}
        """;

    [Fact]
    public async Task Deploy_Options_PutsOnlyTheGivenFieldsInApiUnits()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Stored);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(
            "models", "deploy", "minilm", "--max-batch-size", "16", "--max-queue-delay-ms", "2", "--keep-alive-s", "60", "--preload", "false", "--threads", "2",
            "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        var request = server.Single;
        Assert.Equal(("PUT", "/api/models/minilm/deployment"), (request.Method, request.Path));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(
            ["intra_op_threads=2", "keep_alive_ms=60000", "max_batch_size=16", "max_queue_delay_ms=2", "preload=False"],
            body.RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value}").Order(StringComparer.Ordinal));
        Assert.Contains("max batch size", cli.Output, StringComparison.Ordinal);
        Assert.Contains("16", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_NoOption_GetsAndPrintsSettingsWithTheirSource()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Stored);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "deploy", "minilm", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        Assert.Equal(("GET", "/api/models/minilm/deployment"), (server.Single.Method, server.Single.Path));
        var batchLine = cli.Output.Split('\n').Single(l => l.Contains("max batch size", StringComparison.Ordinal));
        Assert.Contains("model", batchLine, StringComparison.Ordinal);
        var queueLine = cli.Output.Split('\n').Single(l => l.Contains("max queue ", StringComparison.Ordinal) && !l.Contains("delay", StringComparison.Ordinal));
        Assert.Contains("default", queueLine, StringComparison.Ordinal);
        Assert.Contains("alice", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_Reset_SendsNullForEveryField()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Stored);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "deploy", "minilm", "--reset", "--max-queue", "8", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        using var body = JsonDocument.Parse(server.Single.Body);
        Assert.Equal(8, body.RootElement.GetProperty("max_queue").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("max_batch_size").ValueKind);
        Assert.Equal(8, body.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task Deploy_BatchSizeOutOfRange_RejectedBeforeAnyRequest()
    {
        await using var server = await FakeMaasServer.StartAsync(200, Stored);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "deploy", "minilm", "--max-batch-size", "0", "--server", server.Url.ToString());

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--max-batch-size must be between 1 and 4096", cli.ErrorOutput, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Deployments_List_PrintsStateMemoryAndLastError()
    {
        const string Body = """
            {"deployments":[
              {"model":"adder","version":1,"state":"ready","settings":{"max_batch_size":8},"loaded_at":"2025-01-02T03:04:05Z","load_ms":120,
               "memory_bytes":2097152,"in_flight":3,"queued":1,"running":2,"pinned":true},
              {"model":"adder","version":2,"state":"failed","settings":{"max_batch_size":8},"memory_bytes":0,"in_flight":0,"queued":0,"running":0,
               "last_error":"unknown op type Bogus","last_error_at":"2025-01-02T03:05:05Z","next_retry_at":"2025-01-02T03:05:10Z"}]}
            """;
        await using var server = await FakeMaasServer.StartAsync(200, Body);
        using var cli = new CliHarness(interactive: false);

        var exitCode = await cli.RunAsync("deployments", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        Assert.Equal("/api/deployments", server.Single.Path);
        Assert.Contains("adder:1 *", cli.Output, StringComparison.Ordinal);
        Assert.Contains("2.0 MiB", cli.Output, StringComparison.Ordinal);
        Assert.Contains("failed", cli.Output, StringComparison.Ordinal);
        Assert.Contains("Bogus", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployments_EightyColumns_EveryVersionOnOneLineWithNameWhole()
    {
        await using var server = await FakeMaasServer.StartAsync(200, LongDeployments);
        using var cli = new CliHarness(width: 80);

        var exitCode = await cli.RunAsync("deployments", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        var lines = cli.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(lines.All(l => l.Length <= 80), cli.Output);
        Assert.True(lines.Count == 7, cli.Output); // top border, header, separator, two rows, bottom border, footnote
        Assert.True(lines[3].Contains("all-minilm-l6-v2:1 *", StringComparison.Ordinal) && lines[3].Contains("86.7 MiB", StringComparison.Ordinal), cli.Output);
        Assert.True(lines[4].Contains("all-minilm-l6-v2:2", StringComparison.Ordinal) && lines[4].Contains("failed", StringComparison.Ordinal), cli.Output);
        Assert.True(lines[4].Contains("unknown op", StringComparison.Ordinal) && lines[4].TrimEnd('│', ' ').EndsWith('…'), cli.Output);
        Assert.True(lines[1].Contains("Flight", StringComparison.Ordinal) && lines[1].Contains("Error", StringComparison.Ordinal), cli.Output);
    }

    [Fact]
    public async Task Deployments_WideTerminal_ShowsEveryColumnWithShortDates()
    {
        await using var server = await FakeMaasServer.StartAsync(200, LongDeployments);
        using var cli = new CliHarness(width: 200);

        var exitCode = await cli.RunAsync("deployments", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        var lines = cli.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.True(lines.Count == 7, cli.Output);
        foreach (var header in new[] { "Version", "State", "Memory", "Flight", "Queue", "Batch", "Loaded", "Last used", "Error" })
        {
            Assert.Contains(header, lines[1], StringComparison.Ordinal);
        }

        Assert.Matches(@"│ \d\d-\d\d \d\d:\d\d │", lines[3]);
        Assert.Contains("unknown op type Bogus in node /encoder/layer.0/attention/self/Bogus_0", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_VersionFailedToLoad_PrintsStateAndReason()
    {
        const string Body = """
            {"name":"adder","aliases":{"production":2},"created_at":"2025-01-02T03:04:05Z",
             "versions":[{"version":2,"created_at":"2025-01-02T03:04:05Z","files":[]},{"version":1,"created_at":"2025-01-02T03:04:05Z","files":[]}],
             "deployments":[
              {"model":"adder","version":1,"state":"ready","loaded_at":"2025-01-02T03:04:05Z","load_ms":120,"memory_bytes":1024},
              {"model":"adder","version":2,"state":"failed","last_error":"unknown op type Bogus","last_error_at":"2025-01-02T03:05:05Z"}]}
            """;
        await using var server = await FakeMaasServer.StartAsync(200, Body);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "show", "adder", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        var lines = cli.Output.Split('\n').Where(l => l.Contains("Deployment", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("failed", lines[0], StringComparison.Ordinal);
        Assert.Contains("unknown op type Bogus", lines[0], StringComparison.Ordinal);
        Assert.Contains("ready", lines[1], StringComparison.Ordinal);
        Assert.Contains("120 ms", lines[1], StringComparison.Ordinal);
    }
}
