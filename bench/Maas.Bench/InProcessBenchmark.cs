using System.Globalization;
using Maas.Serving;
using Maas.Serving.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.Bench;

/// <summary>
/// The <c>inprocess</c> mode: only the in-process side of the <c>batching</c> mode, driven one measurement at a time
/// over stdin, so that a script can interleave it with an external load generator against a separate server
/// (bench/serving/measure.py) while the two never run load at the same time.
/// </summary>
/// <remarks>
/// Loads the all-minilm-l6-v2 embeddings pipeline once per intra-op thread setting (1 thread, one per core, adaptive),
/// warms each up, prints <c>{"ready":true,...}</c>, then reads commands, one per line:
/// <list type="bullet">
/// <item><c>single C SECONDS</c>: each setting at concurrency C with one text per call;</item>
/// <item><c>batch ROWS SECONDS</c>: each setting on calls of ROWS texts, one caller per core with 1 thread and one
/// caller with the all-core settings (as the <c>batching</c> mode does);</item>
/// <item><c>quit</c> (or the end of stdin): exit.</item>
/// </list>
/// Each command prints one JSON line per setting, in an order rotated per command, then <c>{"done":true}</c>.
/// Other lines on stdout (log warnings) do not start with <c>{</c>.
/// </remarks>
internal static class InProcessBenchmark
{
    public static async Task<int> RunAsync()
    {
        var cores = Environment.ProcessorCount;
        await using var host = await BenchServer.StartAsync(BatchingBenchmark.Model, BatchingBenchmark.Sentences, []).ConfigureAwait(false);
        var settings = host.Services.GetRequiredService<IOptions<ServingOptions>>().Value.Defaults with { MaxBatchSize = 1 };
        var pipelines = new List<(string Name, int Threads, IInferencePipeline Pipeline)>();
        try
        {
            foreach (var (name, threads) in new[] { ("in-process 1 thread", 1), ($"in-process {cores} threads", cores), ("in-process adaptive", 0) })
            {
                var pipeline = await BatchingBenchmark.LoadPipelineAsync(host.Services, settings with { IntraOpThreads = threads }).ConfigureAwait(false);
                pipelines.Add((name, threads, pipeline));
                await LoadGenerator.RunAsync(cores, TimeSpan.FromSeconds(0.5), i => BatchingBenchmark.InferAsync(pipeline, i, 1)).ConfigureAwait(false);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $$"""{"ready":true,"cores":{{cores}}}"""));
            var command = 0;
            while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0)
                {
                    continue;
                }

                if (words[0] == "quit")
                {
                    break;
                }

                if (words.Length != 3 || words[0] is not ("single" or "batch")
                    || !int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1
                    || !double.TryParse(words[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                {
                    Console.WriteLine($$"""{"error":"unknown command; use: single C SECONDS | batch ROWS SECONDS | quit"}""");
                    Console.WriteLine("""{"done":true}""");
                    continue;
                }

                var offset = command++ % pipelines.Count;
                foreach (var (name, threads, pipeline) in pipelines.Skip(offset).Concat(pipelines.Take(offset)))
                {
                    var (concurrency, rows) = words[0] == "single" ? (n, 1) : (threads == 1 ? cores : 1, n);
                    var result = await LoadGenerator.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), i => BatchingBenchmark.InferAsync(pipeline, i, rows)).ConfigureAwait(false);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $$"""{"path":"{{name}}","threads":{{threads}},"concurrency":{{concurrency}},"rows_per_call":{{rows}},"calls":{{result.Requests}},"seconds":{{result.Elapsed.TotalSeconds:F3}},"calls_per_s":{{result.Throughput:F2}},"rows_per_s":{{result.Throughput * rows:F2}},"p50_ms":{{result.Percentile(0.5):F3}},"p95_ms":{{result.Percentile(0.95):F3}}}"""));
                }

                Console.WriteLine("""{"done":true}""");
            }

            return 0;
        }
        finally
        {
            foreach (var (_, _, pipeline) in pipelines)
            {
                await pipeline.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
