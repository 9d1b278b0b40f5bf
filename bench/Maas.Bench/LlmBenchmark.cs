using System.Diagnostics;
using System.Globalization;
using Maas.Server;

namespace Maas.Bench;

/// <summary>
/// Greedy text generation through <c>POST /v1/completions</c> (SSE) against the same model driven in-process by a plain
/// LLamaSharp loop, one stream and N concurrent streams, interleaved round by round so drift hits all modes alike.
/// </summary>
internal static class LlmBenchmark
{
    private const string ModelName = "bench-llama";

    // Greedy decoding of random weights is deterministic per prompt; those that hit an end token early are skipped.
    private static readonly string[] CandidatePrompts =
    [
        "The quick brown fox jumps over the lazy dog",
        "Once upon a time",
        "hello world",
        "Maas serves models",
        "a b c d e f g",
        "the cat sat on the mat",
        "In the beginning",
        "one two three four",
        "Serving latency matters",
        "tokens per second",
    ];

    public static async Task<int> RunAsync(LlmBenchOptions options)
    {
        var loadBefore = LoadAverage();
        var folder = Path.Combine(Path.GetTempPath(), $"maas-bench-llm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");
        try
        {
            var watch = Stopwatch.StartNew();
            var model = LlmBenchModel.Create(folder, options.Layers);
            Console.Error.WriteLine($"model: {model.Facts.ParameterCount:N0} parameters, {model.Facts.Quantization}, {model.FileBytes / 1e6:F1} MB ({model.TensorTypes}), made in {watch.Elapsed.TotalSeconds:F1} s");

            var app = MaasServer.Build(new MaasServerOptions { DataDirectory = data, HttpPort = 0, GrpcPort = 0, RegisterSamples = false }, [
                "--Maas:Serving:Defaults:IntraOpThreads=" + options.Threads.ToString(CultureInfo.InvariantCulture),
                "--Logging:LogLevel:Default=Warning",
            ]);
            try
            {
                await app.StartAsync().ConfigureAwait(false);
                await BenchModels.PushGgufAsync(app.Services, ModelName, model.Path).ConfigureAwait(false);

                using var direct = DirectLlamaGenerator.LikeEngine(model.Path, options.Threads, model.Facts.ContextLength);

                using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
                using var client = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
                var server = new SseCompletionClient(client, ModelName);

                var prompts = CandidatePrompts.Where(p => direct.Generate(p, options.MaxTokens).Tokens == options.MaxTokens).ToArray();
                if (prompts.Length == 0)
                {
                    Console.Error.WriteLine("warning: every prompt hits an end token early; figures count the tokens actually produced.");
                    prompts = CandidatePrompts;
                }

                Console.Error.WriteLine($"{prompts.Length} of {CandidatePrompts.Length} prompts run the full {options.MaxTokens} tokens");
                var results = await MeasureAsync(options, prompts, direct, server).ConfigureAwait(false);
                LlmReport.Print(options, model, results, loadBefore, LoadAverage());
                return 0;
            }
            finally
            {
                await app.StopAsync().ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<LlmResults> MeasureAsync(LlmBenchOptions options, string[] prompts, DirectLlamaGenerator direct, SseCompletionClient server)
    {
        var next = 0;
        string Prompt() => prompts[next++ % prompts.Length];

        List<StreamTiming> InProcess() => Enumerable.Range(0, options.Requests).Select(_ => direct.Generate(Prompt(), options.MaxTokens)).ToList();

        async Task<List<StreamTiming>> ServerSingle()
        {
            var list = new List<StreamTiming>();
            for (var i = 0; i < options.Requests; i++)
            {
                list.Add(await server.GenerateAsync(Prompt(), options.MaxTokens).ConfigureAwait(false));
            }

            return list;
        }

        async Task<(List<StreamTiming> Streams, TimeSpan Wall)> ServerConcurrent()
        {
            var started = Stopwatch.GetTimestamp();
            var streams = await Task.WhenAll(Enumerable.Range(0, options.Streams)
                .Select(_ => Prompt())
                .ToList()
                .Select(p => Task.Run(() => server.GenerateAsync(p, options.MaxTokens)))).ConfigureAwait(false);
            return ([.. streams], Stopwatch.GetElapsedTime(started));
        }

        (List<StreamTiming> Streams, TimeSpan Wall) InProcessConcurrent()
        {
            var started = Stopwatch.GetTimestamp();
            var streams = direct.GenerateTogether(Enumerable.Range(0, options.Streams).Select(_ => Prompt()).ToList(), options.MaxTokens);
            return (streams, Stopwatch.GetElapsedTime(started));
        }

        // Warm both paths (JIT, connection pool, llama.cpp's first graphs) before measuring.
        InProcess();
        InProcessConcurrent();
        await ServerSingle().ConfigureAwait(false);
        await ServerConcurrent().ConfigureAwait(false);

        var results = new LlmResults();
        for (var round = 0; round < options.Rounds; round++)
        {
            string[] order = round % 2 == 0 ? ["in-process", "server", "in-process-n", "server-n"] : ["server-n", "in-process-n", "server", "in-process"];
            foreach (var mode in order)
            {
                switch (mode)
                {
                    case "in-process":
                        results.InProcess.Add(InProcess());
                        break;
                    case "in-process-n":
                        var (together, elapsed) = InProcessConcurrent();
                        results.InProcessConcurrent.Add(together);
                        results.InProcessConcurrentWall.Add(elapsed);
                        break;
                    case "server":
                        results.Server.Add(await ServerSingle().ConfigureAwait(false));
                        break;
                    default:
                        var (streams, wall) = await ServerConcurrent().ConfigureAwait(false);
                        results.Concurrent.Add(streams);
                        results.ConcurrentWall.Add(wall);
                        break;
                }
            }

            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: in-process {LlmResults.DecodeRate(results.InProcess[^1]):F1} tok/s, server {LlmResults.DecodeRate(results.Server[^1]):F1} tok/s, in-process ×{options.Streams} {LlmResults.Aggregate(results.InProcessConcurrent[^1], results.InProcessConcurrentWall[^1]):F1}, server ×{options.Streams} {LlmResults.Aggregate(results.Concurrent[^1], results.ConcurrentWall[^1]):F1} tok/s aggregate"));
        }

        return results;
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
