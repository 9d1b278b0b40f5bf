using System.Globalization;
using System.Text;
using Maas.Server;

namespace Maas.Bench;

/// <summary>
/// Prefix caching, issue 13 done-when 3: two streamed <c>/v1/chat/completions</c> requests share a long system prompt
/// (different user turns); the second's time to first token with the prefix cache on, against the same pair on a
/// server with it off. Two servers in this process on the same model; each round uses a new system prompt (so the
/// first request of a round is a real miss) and alternates which server goes first.
/// </summary>
internal static class PrefixCacheBenchmark
{
    private const string ModelName = "bench-prefix";

    // Every word is one token of the TinyLlamaGguf vocabulary.
    private static readonly string[] Words =
    [
        "the", "a", "and", "of", "to", "in", "is", "it", "you", "that", "hello", "world", "model", "token", "llama",
        "tiny", "test", "one", "two", "three", "yes", "no", "user", "assistant", "system",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds", 7);
        var systemWords = Option(args, "--system-tokens", 2000);
        var layers = Option(args, "--layers", 6);
        var threads = Option(args, "--threads", 1);
        var maxTokens = Option(args, "--tokens", 8);
        var inv = CultureInfo.InvariantCulture;
        var loadBefore = LoadAverage();
        var folder = Path.Combine(Path.GetTempPath(), $"maas-bench-prefix-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var model = LlmBenchModel.Create(folder, layers, contextLength: 4096);
            Console.Error.WriteLine($"model: {model.Facts.ParameterCount:N0} parameters, {model.Facts.Quantization}, {model.FileBytes / 1e6:F1} MB");
            await using var on = await StartAsync(folder, "on", model.Path, threads, prefixCache: true).ConfigureAwait(false);
            await using var off = await StartAsync(folder, "off", model.Path, threads, prefixCache: false).ConfigureAwait(false);

            // Warm-up (JIT, graphs, connections) with a prompt no round uses.
            foreach (var server in new[] { on, off })
            {
                await server.ChatAsync(SystemPrompt(-1, 64), "hello", maxTokens).ConfigureAwait(false);
            }

            var results = new Dictionary<string, List<(Ttft First, Ttft Second)>> { ["on"] = [], ["off"] = [] };
            for (var round = 0; round < rounds; round++)
            {
                var system = SystemPrompt(round, systemWords);
                foreach (var server in round % 2 == 0 ? new[] { on, off } : [off, on])
                {
                    var first = await server.ChatAsync(system, "hello world", maxTokens).ConfigureAwait(false);
                    var second = await server.ChatAsync(system, "tiny llama test", maxTokens).ConfigureAwait(false);
                    results[server.Name].Add((first, second));
                    Console.Error.WriteLine(string.Create(inv,
                        $"round {round + 1} cache {server.Name}: first {first.Milliseconds:F1} ms ({first.PromptTokens} prompt, {first.CachedTokens} cached), second {second.Milliseconds:F1} ms ({second.PromptTokens} prompt, {second.CachedTokens} cached)"));
                }
            }

            Console.WriteLine(string.Create(inv,
                $"Model: llama, {model.Facts.ParameterCount / 1e6:F1}M parameters ({model.Facts.EmbeddingLength} wide, {model.Facts.BlockCount} blocks), {model.Facts.Quantization}, trained context 4096; Maas:Llama:ContextSize 8192; llama.cpp threads {threads}; cores {Environment.ProcessorCount}; load average before {loadBefore}, after {LoadAverage()}"));
            Console.WriteLine(string.Create(inv, $"Rounds: {rounds}, interleaved; system prompt {systemWords} words (new each round), max_tokens {maxTokens}, temperature 0, streamed; TTFT = request sent → first SSE chunk with content."));
            Console.WriteLine();
            Console.WriteLine("| prefix cache | prompt tokens | 1st request TTFT p50 ms | 2nd request TTFT p50 ms | 2nd cached tokens | 2nd ÷ 1st (median of rounds) |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var (name, list) in results)
            {
                Console.WriteLine(string.Create(inv,
                    $"| {name} | {list[0].Second.PromptTokens} | {Stats.Median(list.Select(r => r.First.Milliseconds)):F1} | {Stats.Median(list.Select(r => r.Second.Milliseconds)):F1} | {list[0].Second.CachedTokens} | **{Stats.Median(list.Select(r => r.Second.Milliseconds / r.First.Milliseconds)):F3}** |"));
            }

            var onOff = Stats.Median(Enumerable.Range(0, rounds).Select(r => results["on"][r].Second.Milliseconds / results["off"][r].Second.Milliseconds));
            Console.WriteLine();
            Console.WriteLine(string.Create(inv, $"2nd request TTFT, cache on ÷ cache off (median of rounds): **{onOff:F3}**"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string SystemPrompt(int round, int words)
    {
        var random = new Random(1000 + round);
        var text = new StringBuilder("You are a test.");
        for (var i = 0; i < words; i++)
        {
            text.Append(' ').Append(Words[random.Next(Words.Length)]);
        }

        return text.ToString();
    }

    private static async Task<PrefixBenchServer> StartAsync(string folder, string name, string modelPath, int threads, bool prefixCache)
    {
        var app = MaasServer.Build(new MaasServerOptions { DataDirectory = Path.Combine(folder, "data-" + name), HttpPort = 0, GrpcPort = 0, RegisterSamples = false }, [
            "--Maas:Serving:Defaults:IntraOpThreads=" + threads.ToString(CultureInfo.InvariantCulture),
            "--Maas:Llama:ContextSize=8192",
            "--Maas:Llama:PrefixCache=" + (prefixCache ? "true" : "false"),
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync().ConfigureAwait(false);
        await BenchModels.PushGgufAsync(app.Services, ModelName, modelPath).ConfigureAwait(false);
        return new PrefixBenchServer(name, app);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
