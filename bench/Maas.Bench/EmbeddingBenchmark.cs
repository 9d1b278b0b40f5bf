using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Server;
using Maas.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.Bench;

/// <summary>
/// <c>POST /v2/models/all-minilm-l6-v2/infer</c> (one sentence per request) against the same pipeline called
/// in-process through <see cref="IInferenceService"/>, interleaved round by round so drift hits both alike.
/// </summary>
internal static class EmbeddingBenchmark
{
    // The same eight texts as the batching benchmark (and bench/wrk/infer.lua), so the figures compare.
    private static readonly string[] Sentences = BatchingBenchmark.Sentences;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var data = Path.Combine(Path.GetTempPath(), $"maas-bench-{Guid.NewGuid():N}");
        var app = MaasServer.Build(new MaasServerOptions { DataDirectory = data, HttpPort = 0, GrpcPort = 0 }, [
            "--Maas:Serving:Defaults:IntraOpThreads=" + options.IntraOpThreads.ToString(CultureInfo.InvariantCulture),
            "--Maas:Server:InlineSocketScheduling=" + (options.InlineSocketScheduling ? "true" : "false"),
            "--Logging:LogLevel:Default=Warning",
        ]);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
            var address = app.Urls.First();
            var service = app.Services.GetRequiredService<IInferenceService>();
            var reference = new ModelReference("all-minilm-l6-v2");
            await service.GetDeploymentAsync(reference).ConfigureAwait(false);

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(address) };
            var bodies = Sentences.Select(s => Encoding.UTF8.GetBytes(
                $$"""{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":[{{JsonSerializer.Serialize(s)}}]}]}""")).ToArray();

            async Task ViaServer(int i)
            {
                using var content = new ByteArrayContent(bodies[i % bodies.Length]);
                content.Headers.ContentType = new("application/json");
                using var response = await client.PostAsync("/v2/models/all-minilm-l6-v2/infer", content).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
                }

                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }

            async Task InProcess(int i)
            {
                using var request = new InferenceRequest { Inputs = [Tensor.FromStrings("text", [1], [Sentences[i % Sentences.Length]])] };
                using var result = await service.RunAsync(reference, (_, pipeline, ct) => pipeline.InferAsync(request, ct)).ConfigureAwait(false);
            }

            // Warm both paths (JIT, connection pool) before measuring.
            await LoadGenerator.RunAsync(4, TimeSpan.FromSeconds(1), ViaServer).ConfigureAwait(false);
            await LoadGenerator.RunAsync(4, TimeSpan.FromSeconds(1), InProcess).ConfigureAwait(false);

            var results = new Dictionary<(string Mode, int Concurrency), List<LoadResult>>();
            for (var round = 0; round < options.Rounds; round++)
            {
                foreach (var concurrency in options.Concurrency)
                {
                    // Alternate which side goes first so neither always runs on a warmer machine.
                    var order = round % 2 == 0 ? new[] { "in-process", "server" } : ["server", "in-process"];
                    foreach (var mode in order)
                    {
                        var result = await LoadGenerator.RunAsync(concurrency, options.Duration, mode == "server" ? ViaServer : InProcess).ConfigureAwait(false);
                        if (!results.TryGetValue((mode, concurrency), out var list))
                        {
                            results[(mode, concurrency)] = list = [];
                        }

                        list.Add(result);
                        Console.Error.WriteLine($"round {round + 1} c={concurrency} {mode,-10} {result.Throughput,8:F1} req/s  p50 {result.Percentile(0.5):F3} ms");
                    }
                }
            }

            Report.Print(options, results);
            return 0;
        }
        finally
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(data, recursive: true);
        }
    }
}
