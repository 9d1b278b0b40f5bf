using System.Globalization;

namespace Maas.Bench;

/// <summary>Prints the <c>llm</c> run as Markdown: the model, throughput (medians of per-round values) and latency percentiles.</summary>
internal static class LlmReport
{
    public static void Print(LlmBenchOptions options, LlmBenchModel model, LlmResults results, string loadBefore, string loadAfter)
    {
        var inv = CultureInfo.InvariantCulture;
        var n = options.Streams;
        var rounds = Enumerable.Range(0, results.InProcess.Count).ToList();
        double Med(Func<int, double> perRound) => Stats.Median(rounds.Select(perRound));

        var inDecode = Med(r => LlmResults.DecodeRate(results.InProcess[r]));
        var serverDecode = Med(r => LlmResults.DecodeRate(results.Server[r]));
        var concurrentDecode = Med(r => LlmResults.DecodeRate(results.Concurrent[r]));
        var inEndToEnd = Med(r => LlmResults.EndToEndRate(results.InProcess[r]));
        var serverEndToEnd = Med(r => LlmResults.EndToEndRate(results.Server[r]));
        var aggregate = Med(r => LlmResults.Aggregate(results.Concurrent[r], results.ConcurrentWall[r]));
        var inConcurrentDecode = Med(r => LlmResults.DecodeRate(results.InProcessConcurrent[r]));
        var inAggregate = Med(r => LlmResults.Aggregate(results.InProcessConcurrent[r], results.InProcessConcurrentWall[r]));
        var inScaling = Med(r => LlmResults.Aggregate(results.InProcessConcurrent[r], results.InProcessConcurrentWall[r]) / LlmResults.EndToEndRate(results.InProcess[r]));
        var concurrentRatio = Med(r => LlmResults.Aggregate(results.Concurrent[r], results.ConcurrentWall[r]) / LlmResults.Aggregate(results.InProcessConcurrent[r], results.InProcessConcurrentWall[r]));
        var decodeRatio = Med(r => LlmResults.DecodeRate(results.Server[r]) / LlmResults.DecodeRate(results.InProcess[r]));
        var endToEndRatio = Med(r => LlmResults.EndToEndRate(results.Server[r]) / LlmResults.EndToEndRate(results.InProcess[r]));
        var scaling = Med(r => LlmResults.Aggregate(results.Concurrent[r], results.ConcurrentWall[r]) / LlmResults.EndToEndRate(results.Server[r]));

        Console.WriteLine(string.Create(inv,
            $"Model: llama, {model.Facts.ParameterCount / 1e6:F1}M parameters ({model.Facts.EmbeddingLength} wide, {model.Facts.BlockCount} blocks, {model.Facts.HeadCount} heads), {model.Facts.Quantization}, {model.FileBytes / 1e6:F1} MB; tensors: {model.TensorTypes}"));
        Console.WriteLine(string.Create(inv,
            $"Rounds: {options.Rounds}, interleaved; per round {options.Requests} single-stream requests per path and {n} concurrent server streams; max_tokens {options.MaxTokens}, greedy; llama.cpp threads: {options.Threads}; cores: {Environment.ProcessorCount}; load average before: {loadBefore}, after: {loadAfter}"));
        Console.WriteLine(string.Create(inv,
            $"Tokens per request (mean): in-process {MeanTokens(results.InProcess):F1}, server {MeanTokens(results.Server):F1}, server ×{n} {MeanTokens(results.Concurrent):F1}; SSE text events per token: {ArrivalsPerToken(results.Server):F3}"));
        Console.WriteLine();
        Console.WriteLine("Throughput: medians over rounds; ratios are medians of per-round ratios.");
        Console.WriteLine();
        Console.WriteLine("| path | streams | decode tok/s per stream | end-to-end tok/s, all streams | ratio |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine(string.Create(inv, $"| in-process (LLamaSharp loop) | 1 | {inDecode:F1} | {inEndToEnd:F1} | |"));
        Console.WriteLine(string.Create(inv, $"| server (/v1/completions, SSE) | 1 | {serverDecode:F1} | {serverEndToEnd:F1} | **{decodeRatio:F3}** decode, {endToEndRatio:F3} end-to-end (server / in-process) |"));
        Console.WriteLine(string.Create(inv, $"| in-process, one batch per step | {n} | {inConcurrentDecode:F1} | {inAggregate:F1} | {inScaling:F2}× aggregate / one in-process stream |"));
        Console.WriteLine(string.Create(inv, $"| server (/v1/completions, SSE) | {n} | {concurrentDecode:F1} | {aggregate:F1} | **{scaling:F2}×** aggregate / one server stream; {concurrentRatio:F3} aggregate server / in-process |"));
        Console.WriteLine();
        Console.WriteLine("Latency at the client, ms, over every request of every round: time to first token (TTFT) and the gap between successive SSE text events (ITL).");
        Console.WriteLine();
        Console.WriteLine("| path | streams | TTFT p50 | TTFT p95 | ITL p50 | ITL p95 |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Latency("in-process (LLamaSharp loop)", 1, results.InProcess);
        Latency("server (/v1/completions, SSE)", 1, results.Server);
        Latency("in-process, one batch per step", n, results.InProcessConcurrent);
        Latency("server (/v1/completions, SSE)", n, results.Concurrent);

        static void Latency(string path, int streams, List<List<StreamTiming>> rounds)
        {
            var all = rounds.SelectMany(r => r).ToList();
            var ttft = all.Select(s => s.TimeToFirstTokenMs).ToArray();
            var itl = all.SelectMany(s => s.InterTokenMs()).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {path} | {streams} | {Percentile(ttft, 0.5):F2} | {Percentile(ttft, 0.95):F2} | {Percentile(itl, 0.5):F2} | {Percentile(itl, 0.95):F2} |"));
        }
    }

    private static double MeanTokens(List<List<StreamTiming>> rounds) => rounds.SelectMany(r => r).Average(s => s.Tokens);

    private static double ArrivalsPerToken(List<List<StreamTiming>> rounds)
    {
        var all = rounds.SelectMany(r => r).ToList();
        return all.Sum(s => s.Arrivals.Count) / (double)all.Sum(s => s.Tokens);
    }

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * (sorted.Length - 1)))];
    }
}
