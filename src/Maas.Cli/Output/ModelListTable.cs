using System.Globalization;
using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>The table of <c>maas models list</c>: one line per model, within the terminal's width (80 columns and up).</summary>
/// <remarks>
/// Cells never wrap: a long name, alias list or description is cut with an ellipsis, so each model stays on one line
/// (<c>maas models show</c> has the full text); see <see cref="FittedTable"/>. The creation date drops the time of day,
/// which only matters per version.
/// </remarks>
internal static class ModelListTable
{
    private const int MinNameWidth = 12;
    private const int MinDescriptionWidth = 11;

    public static Table Create(IReadOnlyList<ModelSummary> models, int width)
    {
        ArgumentNullException.ThrowIfNull(models);
        var sorted = models.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

        // The numbers and the date keep their width; name, aliases and description share what is left, in that order of
        // priority, and each stops at its natural width. A description of a few characters says nothing: it takes room
        // back from name, then aliases, down to their minimum, or is left out.
        return FittedTable.Create(
            [
                new("Name", [.. sorted.Select(m => m.Name)]) { Flexible = true, MinWidth = MinNameWidth, SharePercent = 45 },
                new("Latest", [.. sorted.Select(m => m.LatestVersion?.ToString(CultureInfo.InvariantCulture) ?? "-")]) { RightAligned = true },
                new("Vers", [.. sorted.Select(m => m.VersionCount.ToString(CultureInfo.InvariantCulture))]) { RightAligned = true },
                new("Aliases", [.. sorted.Select(Aliases)]) { Flexible = true, MinWidth = "Aliases".Length, SharePercent = 35 },
                new("Created", [.. sorted.Select(m => m.CreatedAt == default ? "-" : m.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))]),
                new("Description", [.. sorted.Select(m => string.IsNullOrWhiteSpace(m.Description) ? "-" : FittedTable.OneLine(m.Description))])
                {
                    Flexible = true, MinWidth = MinDescriptionWidth, DropRank = 1,
                },
            ],
            width);
    }

    private static string Aliases(ModelSummary model) => model.Aliases.Count == 0
        ? "-"
        : string.Join(", ", model.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} → {a.Value}"));
}
