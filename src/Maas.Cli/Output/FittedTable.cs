using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>A table whose rows each stay on one line within the terminal's width: long cells are cut with an ellipsis,
/// optional columns are left out when there is no room for them.</summary>
/// <remarks>
/// Widths are computed here because Spectre's own shrinking wraps the widest cells over several lines and squeezes
/// narrow columns to nothing. Fixed columns keep their natural width. Flexible columns, in order, each take up to their
/// share of what is left, and the last takes the rest; when the last cannot get its minimum, it takes width back from the
/// others in order (down to their minimum), and if that is not enough the column with the highest drop rank goes and the
/// layout starts again. With nothing left to drop, the flexible columns give way down to their header's width.
/// </remarks>
internal static class FittedTable
{
    public static Table Create(IReadOnlyList<FitColumn> columns, int width)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var rowCount = columns.Count == 0 ? 0 : columns[0].Cells.Count;
        if (columns.Any(c => c.Cells.Count != rowCount))
        {
            throw new ArgumentException("Every column needs one cell per row.", nameof(columns));
        }

        var visible = columns.ToList();
        var widths = Layout(visible, width, out var fits);
        while (!fits && visible.Any(c => c.DropRank > 0))
        {
            visible.Remove(visible.Where(c => c.DropRank > 0).MaxBy(c => c.DropRank)!);
            widths = Layout(visible, width, out fits);
        }

        if (!fits)
        {
            widths = Squeeze(visible, widths, width);
        }

        var table = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < visible.Count; i++)
        {
            var column = new TableColumn(visible[i].Header).Width(widths[i]).NoWrap();
            table.AddColumn(visible[i].RightAligned ? column.RightAligned() : column);
        }

        for (var row = 0; row < rowCount; row++)
        {
            table.AddRow(visible.Select((c, i) => new Text(Shorten(c.Cells[row], widths[i])).Overflow(Overflow.Ellipsis)));
        }

        return table;
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> characters, the last one an ellipsis.</summary>
    public static string Shorten(string text, int width) =>
        text.Length <= width ? text : string.Concat(text.AsSpan(0, Math.Max(width - 1, 0)), "…");

    /// <summary>Text on one line: line breaks become spaces, so a cell never spans several lines.</summary>
    public static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Rounded border: the two outer edges, a separator between columns and one space of padding each side of a cell.</summary>
    private static int Overhead(int columns) => 2 + (columns - 1) + (2 * columns);

    private static int[] Layout(List<FitColumn> columns, int width, out bool fits)
    {
        var widths = columns.Select(c => c.NaturalWidth).ToArray();
        var flexible = Enumerable.Range(0, columns.Count).Where(i => columns[i].Flexible).ToList();
        var shared = width - Overhead(columns.Count) - Enumerable.Range(0, columns.Count).Where(i => !columns[i].Flexible).Sum(i => widths[i]);
        if (flexible.Count == 0)
        {
            fits = shared >= 0;
            return widths;
        }

        var others = flexible[..^1];
        var last = flexible[^1];
        foreach (var i in others)
        {
            widths[i] = Math.Min(columns[i].NaturalWidth, Math.Max(columns[i].EffectiveMinWidth, shared * columns[i].SharePercent / 100));
        }

        var missing = columns[last].EffectiveMinWidth - (shared - others.Sum(i => widths[i]));
        foreach (var i in others)
        {
            var cut = Math.Clamp(widths[i] - columns[i].EffectiveMinWidth, 0, Math.Max(missing, 0));
            widths[i] -= cut;
            missing -= cut;
        }

        widths[last] = Math.Min(columns[last].NaturalWidth, shared - others.Sum(i => widths[i]));
        fits = widths[last] >= columns[last].EffectiveMinWidth;
        return widths;
    }

    /// <summary>The last resort on a very narrow terminal: flexible columns give way down to their header's width, then to one character.</summary>
    private static int[] Squeeze(List<FitColumn> columns, int[] widths, int width)
    {
        widths = [.. widths.Select(w => Math.Max(w, 1))];
        var over = Overhead(columns.Count) + widths.Sum() - width;
        foreach (var floor in (Func<FitColumn, int>[])[c => c.Header.Length, _ => 1])
        {
            for (var i = 0; i < columns.Count && over > 0; i++)
            {
                var cut = columns[i].Flexible ? Math.Clamp(widths[i] - floor(columns[i]), 0, over) : 0;
                widths[i] -= cut;
                over -= cut;
            }
        }

        return widths;
    }
}
