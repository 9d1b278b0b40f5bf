using System.Globalization;
using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>Renders deployment settings (<c>maas models deploy</c>), the host's versions (<c>maas deployments</c>) and
/// one version's state line (<c>maas models show</c>).</summary>
internal static class DeploymentView
{
    public static void WriteSettings(IAnsiConsole console, ModelDeploymentInfo deployment)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(deployment);
        var effective = deployment.Effective;
        var overrides = deployment.Overrides;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Setting").AddColumn("Value").AddColumn("Source");
        Row(table, "instances", Count(effective.Instances, "auto"), overrides.Instances is not null);
        Row(table, "threads", Count(effective.IntraOpThreads, "adaptive"), overrides.IntraOpThreads is not null);
        Row(table, "max batch size", Count(effective.MaxBatchSize, "0"), overrides.MaxBatchSize is not null);
        Row(table, "max queue delay", Duration(effective.MaxQueueDelayMs), overrides.MaxQueueDelayMs is not null);
        Row(table, "max queue", Count(effective.MaxQueue, "0"), overrides.MaxQueue is not null);
        Row(table, "request timeout", Duration(effective.RequestTimeoutMs), overrides.RequestTimeoutMs is not null);
        Row(table, "keep alive", effective.KeepAliveMs is null or <= 0 ? "forever" : Duration(effective.KeepAliveMs), overrides.KeepAliveMs is not null);
        Row(table, "preload", effective.Preload is false ? "false" : "true", overrides.Preload is not null);
        console.Write(table);
        if (deployment.UpdatedAt is { } at)
        {
            console.WriteLine($"Last changed {Timestamps.Format(at)} by {deployment.UpdatedBy ?? "-"}.");
        }
    }

    /// <summary>One line per version within the console's width; see <see cref="FittedTable"/>.</summary>
    /// <remarks>
    /// The version is cut last: on a narrow terminal the load time, the batch size, the last use and then the error
    /// column are left out first (<c>maas models show</c> has them all).
    /// </remarks>
    public static void WriteList(IAnsiConsole console, IReadOnlyList<DeploymentInfo> deployments)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(deployments);
        var sorted = deployments.OrderBy(d => d.Model, StringComparer.Ordinal).ThenBy(d => d.Version).ToList();
        console.Write(FittedTable.Create(
            [
                new("Version", [.. sorted.Select(d => $"{d.Model}:{d.Version}" + (d.Pinned ? " *" : string.Empty))]) { Flexible = true, MinWidth = int.MaxValue },
                new("State", [.. sorted.Select(d => d.Reloading ? "reloading" : d.State)]),
                new("Memory", [.. sorted.Select(d => d.MemoryBytes > 0 ? ByteSize.Format(d.MemoryBytes) : "-")]) { RightAligned = true },
                new("Flight", [.. sorted.Select(d => d.InFlight.ToString(CultureInfo.InvariantCulture))]) { RightAligned = true },
                new("Queue", [.. sorted.Select(d => d.Queued.ToString(CultureInfo.InvariantCulture))]) { RightAligned = true },
                new("Batch", [.. sorted.Select(d => d.Settings?.MaxBatchSize?.ToString(CultureInfo.InvariantCulture) ?? "-")]) { RightAligned = true, DropRank = 3 },
                new("Loaded", [.. sorted.Select(d => Timestamps.Short(d.LoadedAt))]) { DropRank = 4 },
                new("Last used", [.. sorted.Select(d => Timestamps.Short(d.LastUsedAt))]) { DropRank = 2 },
                new("Error", [.. sorted.Select(d => d.LastError is { } error ? FittedTable.OneLine(error) : "-")]) { Flexible = true, MinWidth = 10, DropRank = 1 },
            ],
            console.Profile.Width));
        console.WriteLine("* pinned (an alias or the default route): never unloaded for idleness or memory.");
    }

    /// <summary>One line about a version's deployment, e.g. <c>ready, 86.7 MiB, loaded 2025-01-02 03:04 in 120 ms</c>.</summary>
    public static string StateLine(DeploymentInfo? deployment)
    {
        if (deployment is null)
        {
            return "not loaded";
        }

        var parts = new List<string> { deployment.State + (deployment.Reloading ? " (a new instance is loading)" : string.Empty) };
        if (deployment.MemoryBytes > 0)
        {
            parts.Add(ByteSize.Format(deployment.MemoryBytes));
        }

        if (deployment.LoadedAt is { } at)
        {
            parts.Add($"loaded {Timestamps.Format(at)} in {Duration(deployment.LoadMs)}");
        }

        if (deployment.LastError is { } error)
        {
            var retry = deployment.NextRetryAt is { } next ? $", next try {Timestamps.Format(next)}" : string.Empty;
            parts.Add($"last load failed: {error}{retry}");
        }

        return string.Join(", ", parts);
    }

    private static void Row(Table table, string name, string value, bool overridden) =>
        table.AddRow(new Text(name), new Text(value), new Markup(overridden ? "[bold]model[/]" : "[grey]default[/]"));

    private static string Count(int? value, string zero) =>
        value is null ? "-" : value == 0 ? zero : value.Value.ToString(CultureInfo.InvariantCulture);

    private static string Duration(double? milliseconds) => milliseconds switch
    {
        null => "-",
        < 1000 => milliseconds.Value.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
        < 120_000 => (milliseconds.Value / 1000).ToString("0.#", CultureInfo.InvariantCulture) + " s",
        _ => (milliseconds.Value / 60_000).ToString("0.#", CultureInfo.InvariantCulture) + " min",
    };
}
