using System.Globalization;
using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Registry.Abstractions;
using Maas.Serving;
using Maas.Serving.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.Bench;

/// <summary>
/// The <c>batching</c> mode: the all-minilm-l6-v2 embeddings pipeline in-process with each intra-op thread setting
/// (1 thread, all cores, adaptive) at each concurrency and on batches, side by side with two servers in the same
/// process, one with dynamic batching (the defaults) and one with <c>Maas:Serving:Defaults:MaxBatchSize=1</c>.
/// Every scenario runs once per round, in an order rotated each round, so drift of a shared machine hits all alike.
/// </summary>
internal static class BatchingBenchmark
{
    internal const string Model = "all-minilm-l6-v2";

    internal static readonly string[] Sentences =
    [
        "The quick brown fox jumps over the lazy dog.",
        "Maas turns trained models into a network service.",
        "How many embeddings can one core compute per second?",
        "Serving latency matters as much as throughput.",
        "A sentence of moderate length, written for this benchmark alone.",
        "Short one.",
        "Vectors of 384 floats come back for every sentence.",
        "Interleaved runs keep the comparison honest on a noisy machine.",
    ];

    public static async Task<int> RunAsync(BatchingBenchOptions options)
    {
        var cores = Environment.ProcessorCount;
        await using var on = await BenchServer.StartAsync(Model, Sentences, []).ConfigureAwait(false);
        await using var off = await BenchServer.StartAsync(Model, Sentences, ["--Maas:Serving:Defaults:MaxBatchSize=1"]).ConfigureAwait(false);

        var settings = on.Services.GetRequiredService<IOptions<ServingOptions>>().Value.Defaults with { MaxBatchSize = 1 };
        var inProcess = new List<(string Name, IInferencePipeline Pipeline)>();
        try
        {
            foreach (var (name, threads) in new[] { ("in-process 1 thread", 1), ($"in-process {cores} threads", cores), ("in-process adaptive", 0) })
            {
                inProcess.Add((name, await LoadPipelineAsync(on.Services, settings with { IntraOpThreads = threads }).ConfigureAwait(false)));
            }

            var scenarios = new List<BatchingScenario>();
            foreach (var concurrency in options.Concurrency)
            {
                scenarios.AddRange(inProcess.Select(p => new BatchingScenario(p.Name, concurrency, 1, i => InferAsync(p.Pipeline, i, 1))));
                scenarios.Add(new BatchingScenario("server batching on", concurrency, 1, on.PostAsync));
                scenarios.Add(new BatchingScenario("server batching off", concurrency, 1, off.PostAsync));
            }

            // Batches: one caller per setting's engine calls (all cores for one call, or one call per core).
            scenarios.Add(new BatchingScenario(inProcess[0].Name, cores, options.BatchRows, i => InferAsync(inProcess[0].Pipeline, i, options.BatchRows)));
            scenarios.Add(new BatchingScenario(inProcess[1].Name, 1, options.BatchRows, i => InferAsync(inProcess[1].Pipeline, i, options.BatchRows)));
            scenarios.Add(new BatchingScenario(inProcess[2].Name, 1, options.BatchRows, i => InferAsync(inProcess[2].Pipeline, i, options.BatchRows)));

            foreach (var scenario in scenarios)
            {
                await LoadGenerator.RunAsync(scenario.Concurrency, TimeSpan.FromSeconds(0.5), scenario.Call).ConfigureAwait(false);
            }

            var results = scenarios.ToDictionary(s => s, _ => new List<LoadResult>());
            for (var round = 0; round < options.Rounds; round++)
            {
                var offset = round * scenarios.Count / Math.Max(1, options.Rounds);
                foreach (var scenario in scenarios.Skip(offset).Concat(scenarios.Take(offset)))
                {
                    var result = await LoadGenerator.RunAsync(scenario.Concurrency, options.Duration, scenario.Call).ConfigureAwait(false);
                    results[scenario].Add(result);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round + 1} {scenario.Key,-34} {result.Throughput * scenario.RowsPerCall,8:F1} rows/s  p95 {result.Percentile(0.95):F2} ms"));
                }
            }

            BatchingReport.Print(options, scenarios, results);
            return 0;
        }
        finally
        {
            foreach (var (_, pipeline) in inProcess)
            {
                await pipeline.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    internal static async Task InferAsync(IInferencePipeline pipeline, int i, int rows)
    {
        var texts = Enumerable.Range(i, rows).Select(j => Sentences[j % Sentences.Length]).ToArray();
        using var request = new InferenceRequest { Inputs = [Tensor.FromStrings("text", [rows], texts)] };
        using var result = await pipeline.InferAsync(request).ConfigureAwait(false);
    }

    /// <summary>The sample's pipeline built the way the model host builds it, with the given settings.</summary>
    internal static async Task<IInferencePipeline> LoadPipelineAsync(IServiceProvider services, DeploymentSettings settings)
    {
        var version = (await services.GetRequiredService<IInferenceService>().GetDeploymentAsync(new ModelReference(Model)).ConfigureAwait(false)).Version;
        var registry = services.GetRequiredService<IModelRegistry>();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in version.Files)
        {
            files[file.Name] = await registry.GetArtifactPathAsync(file.Sha256).ConfigureAwait(false);
        }

        var engine = services.GetServices<IModelEngine>().Single(e => e.Name == version.Manifest.Engine);
        var context = new ModelLoadContext(version.Key, version.Manifest, files, settings);
        var model = await engine.LoadAsync(context).ConfigureAwait(false);
        return services.GetRequiredService<PipelineFactory>().Create(model, context);
    }
}
