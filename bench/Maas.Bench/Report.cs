using System.Globalization;

namespace Maas.Bench;

/// <summary>Prints medians over rounds and the server/in-process ratios as a Markdown table.</summary>
internal static class Report
{
    public static void Print(BenchOptions options, Dictionary<(string Mode, int Concurrency), List<LoadResult>> results)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"Rounds: {options.Rounds} × {options.Duration.TotalSeconds:F0} s per mode, interleaved; ONNX Runtime intra-op threads: {options.IntraOpThreads}; inline socket scheduling: {options.InlineSocketScheduling}; cores: {Environment.ProcessorCount}");
        Console.WriteLine();
        Console.WriteLine("Ratios and added latency are medians of per-round values: each round runs both sides back to back, so drift of the machine cancels out.");
        Console.WriteLine();
        Console.WriteLine("| concurrency | in-process req/s | server req/s | throughput ratio (server / in-process) | in-process p50 ms | server p50 ms | added p50 ms | server p95 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var concurrency in options.Concurrency)
        {
            var local = results[("in-process", concurrency)];
            var remote = results[("server", concurrency)];
            var ratio = Stats.Median(local.Zip(remote, (l, r) => r.Throughput / l.Throughput));
            var added = Stats.Median(local.Zip(remote, (l, r) => r.Percentile(0.5) - l.Percentile(0.5)));
            Console.WriteLine(string.Create(inv,
                $"| {concurrency} | {Stats.Median(local.Select(r => r.Throughput)):F1} | {Stats.Median(remote.Select(r => r.Throughput)):F1} | {ratio:F3} | {Stats.Median(local.Select(r => r.Percentile(0.5))):F3} | {Stats.Median(remote.Select(r => r.Percentile(0.5))):F3} | {added:F3} | {Stats.Median(remote.Select(r => r.Percentile(0.95))):F3} |"));
        }
    }
}
