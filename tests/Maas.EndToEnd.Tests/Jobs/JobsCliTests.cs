using Maas.EndToEnd.Tests.Cli;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Jobs;

/// <summary><c>maas quantize</c>, <c>maas jobs</c> and <c>maas models lineage</c> against a real server running a test
/// quantize handler.</summary>
public sealed class JobsCliTests : IAsyncLifetime
{
    private JobServer? _server;
    private CliRunner? _cli;

    private JobServer Jobs => _server!;

    private CliRunner Cli => _cli!;

    public async Task InitializeAsync()
    {
        _server = await JobServer.StartAsync();
        _cli = new CliRunner(_server.Server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        _cli?.Dispose();
        await _server!.DisposeAsync();
    }

    [Fact]
    public async Task Quantize_FollowsJob_PrintsVersionAndReport_ThenLineageJobsListAndShow()
    {
        var quantize = await Cli.RunAsync("quantize", "adder:1", "--method", "dynamic-int8", "--alias", "int8", "--option", "per_channel=true");

        Assert.True(quantize.ExitCode == 0, quantize.ToString());
        Assert.Contains("Created adder:2 (alias int8)", quantize.Output, StringComparison.Ordinal);
        Assert.Contains("adder:1 (source)", quantize.Output, StringComparison.Ordinal);
        Assert.Contains("quantize dynamic-int8 vs adder:1", quantize.Output, StringComparison.Ordinal);
        Assert.Contains("(1.00×)", quantize.Output, StringComparison.Ordinal);
        Assert.Contains("test handler: copies the parent", quantize.Output, StringComparison.Ordinal);
        Assert.Contains("Job ", quantize.Error, StringComparison.Ordinal);

        var lineage = await Cli.RunAsync("models", "lineage", "adder");
        Assert.True(lineage.ExitCode == 0, lineage.ToString());
        var lines = lineage.Output.Split('\n');
        var derived = Assert.Single(lines, l => l.Contains("adder:2 ←", StringComparison.Ordinal));
        Assert.Contains("quantize (method=dynamic-int8)", derived, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("adder:1 (source) pushed", StringComparison.Ordinal));

        var list = await Cli.RunAsync("jobs", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        var (_, jobs) = await Json.GetAsync(Jobs.Client, "/api/jobs");
        var id = Assert.Single(jobs.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetString()!;
        var row = Assert.Single(list.Output.Split('\n'), l => l.Contains(id, StringComparison.Ordinal));
        Assert.Contains("succeeded", row, StringComparison.Ordinal);
        Assert.Contains("adder:1", row, StringComparison.Ordinal);

        var show = await Cli.RunAsync("jobs", "show", id);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("adder:2", show.Output, StringComparison.Ordinal);
        Assert.Contains("\"per_channel\":true", show.Output, StringComparison.Ordinal);

        var models = await Cli.RunAsync("models", "show", "adder");
        Assert.Contains("quantize dynamic-int8 vs adder:1", models.Output, StringComparison.Ordinal);
        Assert.Contains(id, models.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_JobFails_ExitCodeOneWithReasonAndNoVersion()
    {
        var result = await Cli.RunAsync("quantize", "adder", "--method", "fail");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed: the model has nothing to quantize", result.Error, StringComparison.Ordinal);
        var (_, details) = await Json.GetAsync(Jobs.Client, "/api/models/adder");
        Assert.Single(details.GetProperty("versions").EnumerateArray());
    }

    [Fact]
    public async Task JobsCancel_RunningJob_CancelledThenSecondCancelRefused()
    {
        var detached = await Cli.RunAsync("quantize", "adder", "--method", "gated", "--detach");
        Assert.True(detached.ExitCode == 0, detached.ToString());
        var id = detached.Output.Trim();
        await Jobs.Handler.GateReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var cancel = await Cli.RunAsync("jobs", "cancel", id);
        var (_, events) = await ServerSentEvents.ReadAllAsync(Jobs.Client, $"/api/jobs/{id}/events");
        var show = await Cli.RunAsync("jobs", "show", id);
        var again = await Cli.RunAsync("jobs", "cancel", id);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Contains($"job {id}", cancel.Output, StringComparison.Ordinal);
        Assert.Equal("cancelled", events[^1].Data.GetProperty("state").GetString());
        Assert.Contains("cancelled", show.Output, StringComparison.Ordinal);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already finished (cancelled)", again.Error, StringComparison.Ordinal);
        Assert.Contains("No jobs.", (await Cli.RunAsync("jobs", "list", "--state", "running")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_CtrlC_CancelsTheJobAndExitsOne()
    {
        using var ctrlC = new CancellationTokenSource();
        var running = Cli.RunAsync(["quantize", "adder", "--method", "gated"], ctrlC.Token);
        await Jobs.Handler.GateReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The job may reach its gate before the CLI has the submission's answer; Ctrl+C is meant for the follow phase.
        await Cli.WaitForErrorAsync("Job ").WaitAsync(TimeSpan.FromSeconds(30));
        await ctrlC.CancelAsync();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("interrupted:", result.Error, StringComparison.Ordinal);
        var (_, jobs) = await Json.GetAsync(Jobs.Client, "/api/jobs");
        var id = Assert.Single(jobs.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetString()!;
        var (_, events) = await ServerSentEvents.ReadAllAsync(Jobs.Client, $"/api/jobs/{id}/events");
        Assert.Equal("cancelled", events[^1].Data.GetProperty("state").GetString());
        var (_, details) = await Json.GetAsync(Jobs.Client, "/api/models/adder");
        Assert.Single(details.GetProperty("versions").EnumerateArray());
    }

    [Fact]
    public async Task Quantize_UnknownVersion_ServerRefusesBeforeAnyJob()
    {
        var result = await Cli.RunAsync("quantize", "adder:7", "--method", "fp16");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no version 7", result.Error, StringComparison.Ordinal);
        Assert.Contains("No jobs.", (await Cli.RunAsync("jobs", "list")).Output, StringComparison.Ordinal);
    }
}
