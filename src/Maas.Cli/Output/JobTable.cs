using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>The table of <c>maas jobs list</c>, fitted to the terminal's width.</summary>
internal static class JobTable
{
    public static Table Create(IReadOnlyList<JobInfo> jobs, int width) => FittedTable.Create(
        [
            new FitColumn("Id", [.. jobs.Select(j => j.Id)]),
            new FitColumn("Kind", [.. jobs.Select(j => j.Kind)]) { Flexible = true, MinWidth = 8, SharePercent = 15, DropRank = 1 },
            new FitColumn("State", [.. jobs.Select(j => j.State)]),
            new FitColumn("Done", [.. jobs.Select(j => JobView.Percent(j.Progress))]) { RightAligned = true },
            new FitColumn("Model", [.. jobs.Select(JobView.Subject)]) { Flexible = true, MinWidth = 12, SharePercent = 35 },
            new FitColumn("Created", [.. jobs.Select(j => Timestamps.Short(j.CreatedAt))]) { Flexible = true, MinWidth = 11, DropRank = 2 },
            new FitColumn("Outcome", [.. jobs.Select(j => FittedTable.OneLine(JobView.Outcome(j)))]) { Flexible = true, MinWidth = 10 },
        ],
        width);
}
