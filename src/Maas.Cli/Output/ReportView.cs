using System.Globalization;
using Maas.Cli.Client;

namespace Maas.Cli.Output;

/// <summary>A version report as labelled lines: size, throughput per batch size and accuracy against the parent.</summary>
internal static class ReportView
{
    public static IReadOnlyList<(string Label, string Value)> Rows(VersionReportInfo report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<(string, string)>
        {
            ("Report", $"{report.Transform ?? "?"} vs {report.Parent ?? "?"}"),
            ("Size", Size(report)),
        };
        if (report.Throughput.Count == 0)
        {
            rows.Add(("Throughput", "not measured"));
        }

        foreach (var t in report.Throughput.OrderBy(t => t.BatchSize))
        {
            rows.Add(($"Batch {t.BatchSize}", string.Create(
                CultureInfo.InvariantCulture,
                $"{t.RowsPerSecond:0.#} rows/s vs {t.ParentRowsPerSecond:0.#} ({Ratio(t.Ratio)})")));
        }

        rows.Add(("Accuracy", report.Accuracy is { } a
            ? string.Create(CultureInfo.InvariantCulture, $"{a.Metric} mean {a.Mean:0.0000}, min {a.Min:0.0000} over {a.Samples} inputs ({a.InputSource ?? "?"})")
            : "not measured"));
        if (report.Machine is { Length: > 0 } || report.MeasuredAt is not null)
        {
            rows.Add(("Measured", $"{Timestamps.Format(report.MeasuredAt ?? default)}" + (report.Machine is { Length: > 0 } m ? $" on {m}" : string.Empty)));
        }

        foreach (var note in report.Notes)
        {
            rows.Add(("Note", note));
        }

        return rows;
    }

    public static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string Size(VersionReportInfo report)
    {
        var ratio = report.ParentArtifactBytes > 0 ? (double)report.ArtifactBytes / report.ParentArtifactBytes : 0;
        return $"{ByteSize.Format(report.ArtifactBytes)} vs {ByteSize.Format(report.ParentArtifactBytes)} ({Ratio(ratio)})";
    }
}
