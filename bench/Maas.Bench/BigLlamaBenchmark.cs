using System.Globalization;
using System.Text;
using Maas.Server;

namespace Maas.Bench;

/// <summary>
/// The real-size benchmark (issue 13): on a generated ~1.3B llama (Q4_0, Q8_0) it compares greedy decode through
/// <c>POST /v1/completions</c> (SSE) with a plain LLamaSharp loop on the same settings, measures time to first token at
/// long prompts, the machine's streaming-read bandwidth (1 and 2 threads) and the engine's own split of step time
/// between llama_decode and the sampler, in interleaved rounds.
/// </summary>
internal static class BigLlamaBenchmark
{
    private const string ModelName = "bench-llama-1b";

    private static readonly Dictionary<string, object> TopP = new()
    {
        ["temperature"] = 0.8,
        ["top_p"] = 0.95,
        ["seed"] = 7,
    };

    public static async Task<int> RunAsync(BigLlamaOptions options)
    {
        var models = options.Types.Select(t => BigLlamaModel.Ensure(options.Folder, t)).ToList();
        if (options.MakeOnly)
        {
            return 0;
        }

        var bandwidth = new MemoryBandwidth();
        using var steps = new LlamaStepListener();
        foreach (var model in models)
        {
            var loadBefore = LoadAverage();
            var rounds = await MeasureAsync(options, model, bandwidth, steps).ConfigureAwait(false);
            BigLlamaReport.Print(options, model, rounds, loadBefore, LoadAverage());
        }

        return 0;
    }

    private static async Task<List<BigLlamaRound>> MeasureAsync(BigLlamaOptions options, BigLlamaModel model, MemoryBandwidth bandwidth, LlamaStepListener steps)
    {
        var data = Path.Combine(Path.GetTempPath(), $"maas-bench-1b-{Guid.NewGuid():N}");
        var app = MaasServer.Build(new MaasServerOptions { DataDirectory = data, HttpPort = 0, GrpcPort = 0, RegisterSamples = false }, [
            "--Maas:Serving:Defaults:IntraOpThreads=" + options.Threads.ToString(CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default=Warning",

            // A 2,048-token prefill of a 1.3B model on 2 busy cores can take minutes.
            "--Maas:Limits:RequestTimeoutSeconds=3600",
        ]);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
            await BenchModels.PushGgufAsync(app.Services, ModelName, model.Path).ConfigureAwait(false);
            using var direct = DirectLlamaGenerator.LikeEngine(model.Path, options.Threads, model.Facts.ContextLength);
            using var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
            var server = new SseCompletionClient(client, ModelName);

            // Every request gets a prompt of its own, so no prompt or prefix cache can serve one from another.
            var random = new Random(5);
            string Prompt(int tokens) => MakePrompt(direct, tokens, random);

            // Warm both paths (JIT, connections, llama.cpp's graphs, the page cache) before measuring.
            direct.Generate(Prompt(16), 4);
            await server.GenerateAsync(Prompt(16), 4).ConfigureAwait(false);
            steps.Take();

            var results = new List<BigLlamaRound>();
            for (var r = 0; r < options.Rounds; r++)
            {
                var round = new BigLlamaRound();
                async Task InProcess()
                {
                    round.InProcessDecode = direct.Generate(Prompt(16), options.MaxTokens);
                    foreach (var length in options.PromptLengths)
                    {
                        round.InProcessFirstToken[length] = direct.Generate(Prompt(length), 1);
                    }

                    await Task.CompletedTask.ConfigureAwait(false);
                }

                async Task Server()
                {
                    steps.Take();
                    round.ServerDecode = await server.GenerateAsync(Prompt(16), options.MaxTokens).ConfigureAwait(false);
                    round.GreedySteps = steps.Take();
                    foreach (var length in options.PromptLengths)
                    {
                        round.ServerFirstToken[length] = await server.GenerateAsync(Prompt(length), 2).ConfigureAwait(false);
                    }
                }

                async Task Sampled()
                {
                    steps.Take();
                    round.ServerSampled = await server.GenerateAsync(Prompt(16), options.MaxTokens, TopP).ConfigureAwait(false);
                    round.SampledSteps = steps.Take();
                }

                Task Bandwidth()
                {
                    round.Bandwidth1 = bandwidth.Measure(1);
                    round.Bandwidth2 = bandwidth.Measure(2);
                    return Task.CompletedTask;
                }

                Func<Task>[] order = r % 2 == 0 ? [InProcess, Server, Sampled, Bandwidth] : [Bandwidth, Sampled, Server, InProcess];
                foreach (var step in order)
                {
                    await step().ConfigureAwait(false);
                }

                results.Add(round);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{model.Facts.Quantization} round {r + 1}: decode in-process {round.InProcessDecode!.DecodeTokensPerSecond:F2} tok/s, server {round.ServerDecode!.DecodeTokensPerSecond:F2} tok/s; "
                    + $"TTFT {string.Join(", ", options.PromptLengths.Select(n => $"{n}: {round.InProcessFirstToken[n].FirstOrEndMs:F0} / {round.ServerFirstToken[n].FirstOrEndMs:F0} ms"))}; "
                    + $"bandwidth {round.Bandwidth1 / 1e9:F1} / {round.Bandwidth2 / 1e9:F1} GB/s; sampler share greedy {round.GreedyShare:P2}, top-p {round.SampledShare:P2}; load {LoadAverage()}"));
            }

            return results;
        }
        finally
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Random three-letter words (each one token of the generated vocabulary) until the prompt, BOS included,
    /// is exactly <paramref name="tokens"/> long.</summary>
    private static string MakePrompt(DirectLlamaGenerator direct, int tokens, Random random)
    {
        var words = new List<string>();
        string Text() => string.Join(' ', words);
        string Word() => string.Create(3, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.Next(26));
            }
        });

        while (words.Count < tokens - 1)
        {
            words.Add(Word());
        }

        var count = direct.CountTokens(Text());
        while (count != tokens)
        {
            if (count > tokens)
            {
                words.RemoveAt(words.Count - 1);
            }
            else
            {
                words.Add(Word());
            }

            count = direct.CountTokens(Text());
        }

        return Text();
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg", Encoding.ASCII).Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
