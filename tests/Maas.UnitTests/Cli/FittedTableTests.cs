using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.UnitTests.Cli;

public sealed class FittedTableTests
{
    [Fact]
    public void Create_NothingLeftToDrop_FlexibleColumnsGiveWayAndRowsStayOnOneLine()
    {
        var table = FittedTable.Create(
            [
                new("Version", ["all-minilm-l6-v2:1 *", "adder:2"]) { Flexible = true, MinWidth = int.MaxValue },
                new("State", ["ready", "failed"]),
                new("Memory", ["86.7 MiB", "-"]) { RightAligned = true },
                new("Error", ["-", "unknown op type Bogus"]) { Flexible = true, MinWidth = 10, DropRank = 1 },
            ],
            width: 36);

        var lines = Render(table, width: 36);

        Assert.True(lines.Count == 6 && lines.All(l => l.Length <= 36), string.Join('\n', lines));
        Assert.DoesNotContain("Error", lines[1], StringComparison.Ordinal);
        Assert.Contains("│ all-minilm-… │", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RoomForEverything_KeepsNaturalWidths()
    {
        var table = FittedTable.Create(
            [
                new("Name", ["minilm"]) { Flexible = true, MinWidth = 12, SharePercent = 45 },
                new("Description", ["Sentence embeddings"]) { Flexible = true, MinWidth = 11, DropRank = 1 },
            ],
            width: 80);

        var lines = Render(table, width: 80);

        Assert.Equal("│ minilm │ Sentence embeddings │", lines[3]);
    }

    private static List<string> Render(Table table, int width)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        console.Write(table);
        return [.. writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
    }
}
