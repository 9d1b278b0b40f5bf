using System.Globalization;
using Spectre.Console;

namespace Maas.Cli.Bench;

/// <summary>A bench report for people: client-side figures per level, the server's split, then the errors seen.</summary>
internal static class BenchView
{
    public static void Write(IAnsiConsole console, BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        console.MarkupLineInterpolated($"[bold]{report.Model}[/] at {report.Server} over {report.Protocol}");
        console.MarkupLineInterpolated($"input: {report.Input}, {report.RowsPerRequest} row(s) per request");

        var client = Table("Level", "Requests", "Errors", "req/s", "rows/s", "p50", "p90", "p95", "p99", "max");
        foreach (var level in report.Levels)
        {
            var latency = level.LatencyMs;
            client.AddRow(
                Short(level),
                level.Requests.ToString(CultureInfo.InvariantCulture),
                level.Failed.ToString(CultureInfo.InvariantCulture),
                Number(level.Throughput, "0.0"),
                Number(level.RowsPerSecond, "0.0"),
                Number(latency?.P50),
                Number(latency?.P90),
                Number(latency?.P95),
                Number(latency?.P99),
                Number(latency?.Max));
        }

        client.Caption("latency in ms, from the client");
        console.Write(client);

        var server = Table("Level", "queue", "compute", "batch", "server");
        foreach (var level in report.Levels)
        {
            server.AddRow(
                Short(level),
                Number(level.Server?.QueueMs),
                Number(level.Server?.ComputeMs),
                Number(level.Server?.BatchSize, "0.0"),
                Number(level.Server?.RequestMs));
        }

        server.Caption("server side, mean ms; compute is per engine call");
        console.Write(server);
        foreach (var level in report.Levels)
        {
            if (level.Rate is { } target && level.SendRate is { } sent && sent < 0.95 * target)
            {
                console.MarkupLineInterpolated($"[yellow]{level.Level}: the client sent {sent:0.0} requests/s, short of the target rate[/]");
            }
        }

        if (report.Levels.Any(l => l.Failed > 0))
        {
            console.Write(Outcomes(report));
        }

        foreach (var level in report.Levels)
        {
            foreach (var error in level.Errors)
            {
                console.MarkupLineInterpolated($"[red]{level.Level}: {error.Kind} × {error.Count}[/]: {error.Sample}");
            }
        }

        if (report.Levels.Any(l => l.Server is null))
        {
            console.MarkupLine("[grey]The server's /metrics could not be read: no server-side figures.[/]");
        }
    }

    /// <summary>Latency per outcome (ok, then each kind of error), so fast rejections and slow successes show apart.</summary>
    private static Table Outcomes(BenchReport report)
    {
        var table = Table("Level", "outcome", "count", "p50", "p99", "max");
        foreach (var level in report.Levels)
        {
            if (level.LatencyMs is { } ok)
            {
                table.AddRow(Short(level), "ok", level.Succeeded.ToString(CultureInfo.InvariantCulture), Number(ok.P50), Number(ok.P99), Number(ok.Max));
            }

            foreach (var error in level.Errors)
            {
                var latency = error.LatencyMs;
                table.AddRow(Short(level), Markup.Escape(error.Kind), error.Count.ToString(CultureInfo.InvariantCulture), Number(latency.P50), Number(latency.P99), Number(latency.Max));
            }
        }

        table.Caption("latency per outcome in ms, from the client");
        return table;
    }

    private static Table Table(params string[] headings)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn(new TableColumn(headings[0]).PadLeft(0));
        foreach (var heading in headings.Skip(1))
        {
            table.AddColumn(new TableColumn(heading).RightAligned().PadLeft(1).PadRight(0));
        }

        return table;
    }

    private static string Short(LevelResult level) => level.Concurrency is { } c
        ? string.Create(CultureInfo.InvariantCulture, $"c={c}")
        : string.Create(CultureInfo.InvariantCulture, $"{level.Rate:0.##}/s");

    private static string Number(double? value, string format = "0.00") =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
