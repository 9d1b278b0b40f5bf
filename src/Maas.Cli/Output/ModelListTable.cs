using System.Globalization;
using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>The table of <c>maas models list</c>: one line per model, within the terminal's width (80 columns and up).</summary>
/// <remarks>
/// Cells never wrap: a long name, alias list or description is cut with an ellipsis, so each model stays on one line
/// (<c>maas models show</c> has the full text). Column widths are computed here because Spectre's own shrinking
/// wraps the widest cells over several lines and squeezes narrow columns to nothing. The creation date drops the
/// time of day, which only matters per version.
/// </remarks>
internal static class ModelListTable
{
    private const int MinNameWidth = 12;
    private const int DateWidth = 10;
    private const int MinDescriptionWidth = 11;

    /// <summary>Rounded border: the two outer edges, a separator between columns and one space of padding each side of a cell.</summary>
    private static int Overhead(int columns) => 2 + (columns - 1) + (2 * columns);

    public static Table Create(IReadOnlyList<ModelSummary> models, int width)
    {
        ArgumentNullException.ThrowIfNull(models);
        var rows = models.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new Row(
            m.Name,
            m.LatestVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",
            m.VersionCount.ToString(CultureInfo.InvariantCulture),
            m.Aliases.Count == 0 ? "-" : string.Join(", ", m.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} → {a.Value}")),
            m.CreatedAt == default ? "-" : m.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            string.IsNullOrWhiteSpace(m.Description) ? "-" : OneLine(m.Description))).ToList();

        // The numbers and the date keep their width; name, aliases and description share what is left, in that order of
        // priority, and each stops at its natural width.
        var latest = Math.Max("Latest".Length, rows.Max(r => r.Latest.Length));
        var versions = Math.Max("Vers".Length, rows.Max(r => r.Versions.Length));
        var shared = width - Overhead(6) - latest - versions - DateWidth;
        var name = Math.Min(Math.Max("Name".Length, rows.Max(r => r.Name.Length)), Math.Max(MinNameWidth, shared * 45 / 100));
        var aliases = Math.Min(Math.Max("Aliases".Length, rows.Max(r => r.Aliases.Length)), Math.Max("Aliases".Length, shared * 35 / 100));

        // A description of a few characters says nothing: take room back from name, then aliases, down to their minimum.
        var missing = MinDescriptionWidth - (shared - name - aliases);
        if (missing > 0)
        {
            var cut = Math.Clamp(name - MinNameWidth, 0, missing);
            name -= cut;
            aliases -= Math.Clamp(aliases - "Aliases".Length, 0, missing - cut);
        }

        var description = Math.Min(Math.Max("Description".Length, rows.Max(r => r.Description.Length)), shared - name - aliases);
        var withDescription = description >= MinDescriptionWidth;

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(Column("Name", name))
            .AddColumn(Column("Latest", latest).RightAligned())
            .AddColumn(Column("Vers", versions).RightAligned())
            .AddColumn(Column("Aliases", aliases))
            .AddColumn(Column("Created", DateWidth));
        if (withDescription)
        {
            table.AddColumn(Column("Description", description));
        }

        foreach (var row in rows)
        {
            var cells = new List<Text>
            {
                Cell(row.Name, name), Cell(row.Latest, latest), Cell(row.Versions, versions), Cell(row.Aliases, aliases), Cell(row.Created, DateWidth),
            };
            if (withDescription)
            {
                cells.Add(Cell(row.Description, description));
            }

            table.AddRow(cells);
        }

        return table;
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> characters, the last one an ellipsis.</summary>
    internal static string Shorten(string text, int width) =>
        text.Length <= width ? text : string.Concat(text.AsSpan(0, Math.Max(width - 1, 0)), "…");

    private static TableColumn Column(string header, int width) => new TableColumn(header).Width(width).NoWrap();

    private static Text Cell(string text, int width) => new Text(Shorten(text, width)).Overflow(Overflow.Ellipsis);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private sealed record Row(string Name, string Latest, string Versions, string Aliases, string Created, string Description);
}
