using System.Globalization;

namespace Maas.Bench;

/// <summary>Prints one model's <c>llm-1b</c> rounds as Markdown; every figure is a median over rounds, ratios are medians of per-round ratios.</summary>
internal static class BigLlamaReport
{
    public static void Print(BigLlamaOptions options, BigLlamaModel model, List<BigLlamaRound> rounds, string loadBefore, string loadAfter)
    {
        var inv = CultureInfo.InvariantCulture;
        double Med(Func<BigLlamaRound, double> value) => Stats.Median(rounds.Select(value));
        var bandwidth = options.Threads >= 2 ? (Func<BigLlamaRound, double>)(r => r.Bandwidth2) : r => r.Bandwidth1;

        // A decode step at position p reads the weights once and the KV cache of p earlier positions; the mean
        // position of a decode request is its prompt (16) plus half its tokens.
        var kvBytes = model.KvBytesPerPosition * (16 + (options.MaxTokens / 2));
        double Limit(BigLlamaRound r, StreamTiming t) => t.DecodeTokensPerSecond * model.WeightBytesPerToken / bandwidth(r);

        Console.WriteLine(string.Create(inv,
            $"### {model.Facts.Quantization}: {model.Facts.ParameterCount / 1e9:F3}B parameters, file {model.FileBytes / 1e9:F3} GB, weights read per decode step {model.WeightBytesPerToken / 1e9:F3} GB (+ KV ≈ {kvBytes / 1e6:F1} MB at the mean position)"));
        Console.WriteLine();
        Console.WriteLine(string.Create(inv,
            $"Rounds: {rounds.Count}, interleaved; max_tokens {options.MaxTokens}, greedy; llama.cpp threads {options.Threads}; cores {Environment.ProcessorCount}; load average before {loadBefore}, after {loadAfter}"));
        Console.WriteLine();
        Console.WriteLine("| measure | in-process (LLamaSharp) | server (/v1/completions SSE) | server / in-process |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(string.Create(inv,
            $"| decode tok/s (greedy) | {Med(r => r.InProcessDecode!.DecodeTokensPerSecond):F2} | {Med(r => r.ServerDecode!.DecodeTokensPerSecond):F2} | **{Med(r => r.ServerDecode!.DecodeTokensPerSecond / r.InProcessDecode!.DecodeTokensPerSecond):F3}** |"));
        foreach (var length in options.PromptLengths)
        {
            Console.WriteLine(string.Create(inv,
                $"| TTFT, {length}-token prompt (ms) | {Med(r => r.InProcessFirstToken[length].FirstOrEndMs):F0} | {Med(r => r.ServerFirstToken[length].FirstOrEndMs):F0} | {Med(r => r.ServerFirstToken[length].FirstOrEndMs / r.InProcessFirstToken[length].FirstOrEndMs):F3} |"));
        }

        Console.WriteLine(string.Create(inv,
            $"| tok/s × weight bytes ÷ read bandwidth ({options.Threads} thread{(options.Threads == 1 ? "" : "s")}) | {Med(r => Limit(r, r.InProcessDecode!)):F3} | **{Med(r => Limit(r, r.ServerDecode!)):F3}** | |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(inv,
            $"Streaming read bandwidth (own micro-benchmark, 512 MiB array): 1 thread {Med(r => r.Bandwidth1) / 1e9:F2} GB/s, 2 threads {Med(r => r.Bandwidth2) / 1e9:F2} GB/s; "
            + $"bandwidth limit at {options.Threads} thread(s): {Med(bandwidth) / model.WeightBytesPerToken:F2} tok/s"));
        Console.WriteLine(string.Create(inv,
            $"Sampler share of decode-step time inside the engine (maas.llama.sampling.duration ÷ (decode + sampling), {model.Facts.VocabularySize:N0}-token vocabulary): greedy **{Med(r => r.GreedyShare):P2}** "
            + $"({Med(r => r.GreedySteps.SamplingSeconds / r.GreedySteps.Steps) * 1e3:F2} ms of {Med(r => (r.GreedySteps.DecodeSeconds + r.GreedySteps.SamplingSeconds) / r.GreedySteps.Steps) * 1e3:F1} ms per step), "
            + $"temperature 0.8 + top_p 0.95 **{Med(r => r.SampledShare):P2}** ({Med(r => r.SampledSteps.SamplingSeconds / r.SampledSteps.Steps) * 1e3:F2} ms of {Med(r => (r.SampledSteps.DecodeSeconds + r.SampledSteps.SamplingSeconds) / r.SampledSteps.Steps) * 1e3:F1} ms; server decode {Med(r => r.ServerSampled!.DecodeTokensPerSecond):F2} tok/s)"));
        Console.WriteLine(string.Create(inv,
            $"Tokens per decode request (mean): in-process {rounds.Average(r => r.InProcessDecode!.Tokens):F1}, server {rounds.Average(r => r.ServerDecode!.Tokens):F1}; prompt tokens checked: server usage {string.Join(", ", options.PromptLengths.Select(n => $"{n} → {rounds.Select(r => r.ServerFirstToken[n].PromptTokens).Distinct().Single()}"))}"));
        Console.WriteLine();
    }
}
