using System.Text.Json;
using Maas.Cli.Bench;
using Spectre.Console;

namespace Maas.UnitTests.Cli.Bench;

/// <summary>The bench report as a table and as JSON: latency per outcome (ok and each kind of error).</summary>
public sealed class BenchViewTests
{
    [Fact]
    public void Write_LevelWithErrors_PrintsLatencyPerOutcome()
    {
        var (console, output) = Console();
        var level = Level(errors: [new ErrorCount("HTTP 429", 7, "queue full", new LatencySummary(1.5, 1.25, 2, 2.5, 3.75, 4.5))]);

        BenchView.Write(console, Report(level));

        var text = output.ToString();
        Assert.Contains("outcome", text, StringComparison.Ordinal);
        Assert.Contains("latency per outcome in ms", text, StringComparison.Ordinal);
        var rejected = Assert.Single(text.Split('\n'), line => line.Contains("HTTP 429", StringComparison.Ordinal) && line.Contains('7', StringComparison.Ordinal) && !line.Contains(':', StringComparison.Ordinal));
        Assert.Contains("1.25", rejected, StringComparison.Ordinal);
        Assert.Contains("3.75", rejected, StringComparison.Ordinal);
        Assert.Contains("4.50", rejected, StringComparison.Ordinal);
        var ok = Assert.Single(text.Split('\n'), line => line.Contains(" ok ", StringComparison.Ordinal));
        Assert.Contains("93", ok, StringComparison.Ordinal);
        Assert.Contains("12.00", ok, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NoErrors_PrintsNoOutcomeTable()
    {
        var (console, output) = Console();

        BenchView.Write(console, Report(Level(errors: [])));

        Assert.DoesNotContain("outcome", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OpenLoopClientFellBehind_SaysWhatItSent()
    {
        var (console, output) = Console();

        BenchView.Write(console, Report(Level(errors: [], sendRate: 61.25)));

        Assert.Contains("rate 100/s: the client sent 61.3 requests/s, short of the target rate", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OpenLoopOnTarget_SaysNothingAboutTheSendRate()
    {
        var (console, output) = Console();

        BenchView.Write(console, Report(Level(errors: [], sendRate: 99)));

        Assert.DoesNotContain("short of the target", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_ErrorKind_CarriesItsLatencySummary()
    {
        var level = Level(errors: [new ErrorCount("HTTP 429", 7, "queue full", new LatencySummary(1.5, 1.25, 2, 2.5, 3.75, 4.5))]);

        using var document = JsonDocument.Parse(JsonSerializer.Serialize(Report(level), BenchJsonContext.Default.BenchReport));

        var json = document.RootElement.GetProperty("levels")[0];
        var error = json.GetProperty("errors")[0];
        Assert.Equal("HTTP 429", error.GetProperty("kind").GetString());
        Assert.Equal(7, error.GetProperty("count").GetInt32());
        Assert.Equal(1.25, error.GetProperty("latency_ms").GetProperty("p50").GetDouble());
        Assert.Equal(3.75, error.GetProperty("latency_ms").GetProperty("p99").GetDouble());
        Assert.Equal(4.5, error.GetProperty("latency_ms").GetProperty("max").GetDouble());
        Assert.Equal(12, json.GetProperty("latency_ms").GetProperty("p99").GetDouble());
        Assert.Equal(100, json.GetProperty("send_rate").GetDouble());
    }

    private static LevelResult Level(IReadOnlyList<ErrorCount> errors, double? sendRate = 100) => new(
        "rate 100/s", null, 100, 93 + errors.Sum(e => e.Count), 93, errors.Sum(e => e.Count), 93, 1, 93, 93,
        new LatencySummary(5, 4, 8, 10, 12, 20), errors, null, sendRate);

    private static BenchReport Report(LevelResult level) =>
        new("m", "http://127.0.0.1:8000", "rest-json", "generated", 1, 1, null, 0, 0, [level]);

    private static (IAnsiConsole Console, StringWriter Output) Console()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 240;
        return (console, output);
    }
}
