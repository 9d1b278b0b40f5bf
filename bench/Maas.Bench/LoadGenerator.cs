using System.Diagnostics;

namespace Maas.Bench;

/// <summary>Runs a request function from N concurrent workers for a fixed time and records every latency.</summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(int concurrency, TimeSpan duration, Func<int, Task> request)
    {
        var latencies = new List<double>[concurrency];
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(4096);
            var i = worker;
            while (stopwatch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await request(i).ConfigureAwait(false);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                i += concurrency;
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = stopwatch.Elapsed;
        var all = latencies.SelectMany(l => l).ToArray();
        return new LoadResult(all.Length, elapsed, all);
    }
}
