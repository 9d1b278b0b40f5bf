using Maas.Serving.Generation;
using Maas.Serving.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maas.UnitTests.Serving.Generation;

/// <summary>A generation pipeline over a <see cref="FakeTextGenerator"/>, with helpers to run requests to the end.</summary>
internal sealed class GenerationHarness : IAsyncDisposable
{
    private readonly TestMeterFactory _meters = new();

    public GenerationHarness(
        FakeTextGenerator generator,
        int maxSequences = 16,
        int maxQueue = 64,
        TimeSpan? deadline = null,
        int defaultMaxTokens = 64,
        TimeProvider? time = null)
    {
        Generator = generator;
        var scheduler = new TokenScheduler(
            generator,
            "fake:1",
            new TokenSchedulerOptions(maxSequences, maxQueue, deadline ?? TimeSpan.FromMinutes(5), defaultMaxTokens),
            new GenerationMetrics(_meters),
            time ?? TimeProvider.System,
            NullLogger.Instance);
        Pipeline = new GenerationPipeline(generator, scheduler, new Maas.Core.Engines.DeploymentSettings { MaxBatchSize = maxSequences, MaxQueue = maxQueue });
    }

    public FakeTextGenerator Generator { get; }

    public IReadOnlyList<System.Diagnostics.Metrics.Meter> Meters => _meters.Meters;

    public GenerationPipeline Pipeline { get; }

    public static GenerationRequest Request(string prompt, int? maxTokens = 16, params string[] stop) =>
        new() { Prompt = prompt, MaxTokens = maxTokens, Stop = stop };

    public async Task<Completion> RunAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var chunks = new List<GenerationChunk>();
        await foreach (var chunk in Pipeline.GenerateAsync(request, cancellationToken))
        {
            chunks.Add(chunk);
        }

        return new Completion(chunks);
    }

    /// <summary>Lets the held loop take single steps until <paramref name="condition"/> holds (the loop may have started
    /// stepping the first request before the others reached the queue).</summary>
    public async Task StepUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            var steps = Generator.Batches.Count;
            Generator.StepGate!.Release(1);
            await WaitUntilAsync(() => Generator.Batches.Count > steps || condition());
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var timeout = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > timeout)
            {
                throw new TimeoutException("The condition did not become true in 10 s.");
            }

            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        _meters.Dispose();
    }

    /// <summary>All chunks of one generation.</summary>
    internal sealed record Completion(IReadOnlyList<GenerationChunk> Chunks)
    {
        public string Text => string.Concat(Chunks.Select(c => c.Text));

        public GenerationChunk Last => Chunks[^1];

    }
}
