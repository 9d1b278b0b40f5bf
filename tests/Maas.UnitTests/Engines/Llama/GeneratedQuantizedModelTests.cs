using System.Diagnostics.Metrics;
using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;
using Maas.UnitTests.Formats.Gguf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>llama.cpp reads the Q8_0 / Q4_0 blocks our generator writes as we mean them, and the engine reports its step timings.</summary>
public sealed class GeneratedQuantizedModelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "maas-generated-quantized-" + Guid.NewGuid().ToString("N"));

    public GeneratedQuantizedModelTests() => Directory.CreateDirectory(_folder);

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    public async Task Generate_QuantizedFile_SameDistributionAsItsF32Dequantization(GgmlType type)
    {
        // The F32 copy is dequantised by the public block layout (QuantizedBlocks), not by the writer; a wrong scale or
        // nibble order would give llama.cpp different weights from ours and an unrelated next-token distribution. (Greedy
        // tokens themselves may differ: llama.cpp rounds activations to 8 bits for quantised matrices, and a random
        // model's best logits lie within hundredths of each other.)
        var quantized = Path.Combine(_folder, "q.gguf");
        var dense = Path.Combine(_folder, "f32.gguf");
        TinyLlamaGguf.Write(quantized, TinyLlamaQuantizedTests.Small(type));
        QuantizedBlocks.WriteF32Copy(quantized, dense);

        var fromQuantized = await FirstStepAsync(quantized);
        var fromDense = await FirstStepAsync(dense);

        var dense8 = fromDense.ToDictionary(a => a.TokenId, a => a.LogProbability);
        var common = fromQuantized.Where(a => dense8.ContainsKey(a.TokenId)).ToList();
        Assert.True(common.Count >= 6, $"top 8 shared: {common.Count}");
        Assert.All(common, a => Assert.InRange(a.LogProbability - dense8[a.TokenId], -0.1, 0.1));
        Assert.All(fromQuantized, a => Assert.True(float.IsFinite(a.LogProbability) && a.LogProbability < 0));
    }

    [Fact]
    public async Task Step_WithMeterFactory_RecordsDecodeAndSamplingPerStepKind()
    {
        var path = Path.Combine(_folder, "q.gguf");
        TinyLlamaGguf.Write(path, TinyLlamaQuantizedTests.Small(GgmlType.Q8_0));
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var recorded = new List<(string Instrument, double Seconds, string? Step)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LlamaMetrics.MeterName && instrument.Meter.Scope == meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var step = tags.ToArray().FirstOrDefault(t => t.Key == "maas.llama.step").Value as string;
            lock (recorded)
            {
                recorded.Add((instrument.Name, value, step));
            }
        });
        listener.Start();

        await using var generator = await LoadAsync(path, meterFactory);
        using var sequence = generator.StartSequence(generator.Tokenize("hello world", addSpecialTokens: true), new SamplingOptions { Temperature = 0.8f, TopP = 0.9f, Seed = 1 });
        await generator.StepAsync([sequence]);
        await generator.StepAsync([sequence]);
        await generator.StepAsync([sequence]);

        Assert.Equal(["prompt", "decode", "decode"], recorded.Where(r => r.Instrument == "maas.llama.decode.duration").Select(r => r.Step));
        Assert.Equal(["prompt", "decode", "decode"], recorded.Where(r => r.Instrument == "maas.llama.sampling.duration").Select(r => r.Step));
        Assert.All(recorded, r => Assert.True(r.Seconds > 0));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A mapped file not yet released; the temp folder is cleaned later.
        }
    }

    // The 8 most likely next tokens after a fixed prompt, with their log-probabilities.
    private static async Task<IReadOnlyList<TokenAlternative>> FirstStepAsync(string path)
    {
        await using var generator = await LoadAsync(path, meterFactory: null);
        using var sequence = generator.StartSequence(generator.Tokenize("hello world the model", addSpecialTokens: true), new SamplingOptions { Temperature = 0, TopLogprobs = 8 });
        var step = await generator.StepAsync([sequence]);
        return step[0].TopAlternatives!;
    }

    private static async Task<ITextGenerator> LoadAsync(string path, IMeterFactory? meterFactory)
    {
        var engine = new LlamaEngine(Options.Create(new LlamaEngineOptions { ContextSize = 256 }), NullLoggerFactory.Instance, meterFactory);
        var manifest = new ModelManifest { Format = ModelFormats.Gguf, Engine = LlamaEngine.EngineName, Task = ModelTasks.TextGeneration, ModelFile = "model.gguf" };
        var context = new ModelLoadContext("generated:1", manifest, new Dictionary<string, string> { ["model.gguf"] = path },
            new DeploymentSettings { IntraOpThreads = 1, MaxBatchSize = 2 });
        return Assert.IsAssignableFrom<ITextGenerator>(await engine.LoadAsync(context));
    }
}
