using Maas.Cli.Client;
using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.UnitTests.Cli;

public sealed class JobProgressViewTests
{
    [Fact]
    public async Task FollowAsync_RedirectedOutput_OneLinePerStageOrTenthAndReturnsFinal()
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });

        var final = await JobProgressView.FollowAsync(console, "quantize", Events(
            ("queued", 0, null),
            ("running", 0.10, "loading"),
            ("running", 0.12, "loading"),
            ("running", 0.50, "quantizing"),
            ("running", 0.55, "quantizing"),
            ("running", 0.61, "quantizing"),
            ("succeeded", 1, "measuring")), CancellationToken.None);

        Assert.Equal("succeeded", final.State);
        Assert.Equal(
            ["[  0%] queued", "[ 10%] loading", "[ 50%] quantizing", "[ 61%] quantizing"],
            writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task FollowAsync_InteractiveTerminal_DrawsBarWithStageAndReturnsFinal()
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 100;

        var final = await JobProgressView.FollowAsync(console, "quantize adder:1", Events(
            ("running", 0.5, "quantizing"),
            ("failed", 0.5, "quantizing")), CancellationToken.None);

        Assert.Equal("failed", final.State);
        Assert.Contains("quantize adder:1: quantizing", writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("50%", writer.ToString(), StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<JobInfo> Events(params (string State, double Progress, string? Stage)[] events)
    {
        foreach (var (state, progress, stage) in events)
        {
            await Task.Yield();
            yield return new JobInfo { Id = "j", Kind = "quantize", State = state, Progress = progress, Stage = stage };
        }
    }
}
