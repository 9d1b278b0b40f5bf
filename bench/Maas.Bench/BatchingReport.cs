using System.Globalization;

namespace Maas.Bench;

/// <summary>Prints the <c>batching</c> mode's medians and the ratios the serving core is judged by, as Markdown.</summary>
internal static class BatchingReport
{
    private const string On = "server batching on";
    private const string Off = "server batching off";

    public static void Print(BatchingBenchOptions options, IReadOnlyList<BatchingScenario> scenarios, Dictionary<BatchingScenario, List<LoadResult>> results)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Rounds: {options.Rounds} × {options.Duration.TotalSeconds:F0} s per scenario, order rotated each round; cores: {Environment.ProcessorCount}; figures are medians over rounds."));
        Console.WriteLine();
        Console.WriteLine("| path | concurrency | rows per call | rows/s | p50 ms | p95 ms |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var scenario in scenarios)
        {
            var runs = results[scenario];
            Console.WriteLine(string.Create(inv,
                $"| {scenario.Path} | {scenario.Concurrency} | {scenario.RowsPerCall} | {Stats.Median(runs.Select(r => r.Throughput * scenario.RowsPerCall)):F1} | {Stats.Median(runs.Select(r => r.Percentile(0.5))):F2} | {Stats.Median(runs.Select(r => r.Percentile(0.95))):F2} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Ratios are medians of per-round ratios (each round measures both sides).");
        Console.WriteLine();
        Console.WriteLine("| comparison | ratio |");
        Console.WriteLine("|---|---|");
        var rounds = options.Rounds;
        foreach (var concurrency in options.Concurrency)
        {
            var server = Find(scenarios, On, concurrency, 1);
            var singles = scenarios.Where(s => s.Path.StartsWith("in-process", StringComparison.Ordinal) && s.Concurrency == concurrency && s.RowsPerCall == 1).ToList();
            if (server is null || singles.Count == 0)
            {
                continue;
            }

            var ratio = Stats.Median(Enumerable.Range(0, rounds).Select(r => Rows(server, results, r) / singles.Max(s => Rows(s, results, r))));
            Console.WriteLine(string.Create(inv, $"| c={concurrency}: server (batching on) ÷ best in-process setting, one text per call | {ratio:F3} |"));
            if (Find(scenarios, Off, concurrency, 1) is { } off)
            {
                Console.WriteLine(string.Create(inv, $"| c={concurrency}: server batching on ÷ off, throughput | {Stats.Median(Enumerable.Range(0, rounds).Select(r => Rows(server, results, r) / Rows(off, results, r))):F3} |"));
                Console.WriteLine(string.Create(inv, $"| c={concurrency}: server batching on ÷ off, p95 latency | {Stats.Median(Enumerable.Range(0, rounds).Select(r => results[server][r].Percentile(0.95) / results[off][r].Percentile(0.95))):F3} |"));
            }
        }

        var batches = scenarios.Where(s => s.RowsPerCall > 1).ToList();
        var busiest = options.Concurrency.Max();
        if (batches.Count > 0 && Find(scenarios, On, busiest, 1) is { } loaded)
        {
            var ratio = Stats.Median(Enumerable.Range(0, rounds).Select(r => Rows(loaded, results, r) / batches.Max(s => Rows(s, results, r))));
            Console.WriteLine(string.Create(inv, $"| c={busiest}: server (batching on) ÷ best in-process on batches of {options.BatchRows} | {ratio:F3} |"));
        }
    }

    private static BatchingScenario? Find(IEnumerable<BatchingScenario> scenarios, string path, int concurrency, int rows) =>
        scenarios.FirstOrDefault(s => s.Path == path && s.Concurrency == concurrency && s.RowsPerCall == rows);

    private static double Rows(BatchingScenario scenario, Dictionary<BatchingScenario, List<LoadResult>> results, int round) =>
        results[scenario][round].Throughput * scenario.RowsPerCall;
}
