using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>LoRA adapters applied per context over shared base weights, checked against the merged-weights models
/// (an independent path: the merge is our own arithmetic, the adapter is llama.cpp's graph).</summary>
public sealed class LoraAdapterTests : IDisposable
{
    private static readonly SamplingOptions Greedy = new() { Temperature = 0f };
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "maas-lora-tests-" + Guid.NewGuid().ToString("N"));

    public LoraAdapterTests()
    {
        Directory.CreateDirectory(_folder);
        TinyLlamaGguf.Write(BasePath, new TinyLlamaOptions { ContextLength = 128, HeadCountKv = 2 });
        LoraGguf.Write(BasePath, AdapterPath("a"), new LoraAdapterOptions { Name = "a", Seed = 11 });
        LoraGguf.Write(BasePath, AdapterPath("b"), new LoraAdapterOptions { Name = "b", Seed = 12, Rank = 2 });
        LoraGguf.Merge(BasePath, AdapterPath("a"), MergedPath("a"));
        LoraGguf.Merge(BasePath, AdapterPath("b"), MergedPath("b"));
    }

    private string BasePath => Path.Combine(_folder, "base.gguf");

    private string AdapterPath(string name) => Path.Combine(_folder, $"adapter-{name}.gguf");

    private string MergedPath(string name) => Path.Combine(_folder, $"merged-{name}.gguf");

    [Fact]
    public async Task LoadAsync_AdapterOverBase_GreedyOutputEqualsMergedModel()
    {
        var engine = NewEngine();
        await using var adapter = await LoadAdapterAsync(engine, "a");
        await using var merged = await LlamaTestModels.LoadAsync(MergedPath("a"));
        await using var plain = await LlamaTestModels.LoadAsync(BasePath);
        var prompt = merged.Tokenize("hello world", addSpecialTokens: true);

        var adapted = await LlamaTestModels.GenerateAloneAsync(adapter, prompt, Greedy, 24);
        var expected = await LlamaTestModels.GenerateAloneAsync(merged, prompt, Greedy, 24);
        var unadapted = await LlamaTestModels.GenerateAloneAsync(plain, prompt, Greedy, 24);

        Assert.Equal(expected, adapted);
        Assert.NotEqual(unadapted, adapted); // the adapter changes the output, so equality above means something
    }

    [Fact]
    public async Task StepAsync_TwoAdaptersOfOneBaseConcurrently_EachEqualsItsMergedModelAndBaseLoadsOnce()
    {
        var engine = NewEngine();
        await using var baseModel = await LoadAsync(engine, BasePath, "base:1", ModelManifestFor("model.gguf"), new() { ["model.gguf"] = BasePath });
        await using var first = await LoadAdapterAsync(engine, "a");
        await using var second = await LoadAdapterAsync(engine, "b");
        var prompts = new[] { "hello world", "the model is a test", "hello" }.Select(p => baseModel.Tokenize(p, addSpecialTokens: true)).ToList();
        var expectedA = new List<List<int>>();
        var expectedB = new List<List<int>>();
        await using (var mergedA = await LlamaTestModels.LoadAsync(MergedPath("a")))
        await using (var mergedB = await LlamaTestModels.LoadAsync(MergedPath("b")))
        {
            foreach (var prompt in prompts)
            {
                expectedA.Add(await LlamaTestModels.GenerateAloneAsync(mergedA, prompt, Greedy, 16));
                expectedB.Add(await LlamaTestModels.GenerateAloneAsync(mergedB, prompt, Greedy, 16));
            }
        }

        // Every prompt on both adapters at once: each adapter's sequences batched in its own context, both decoding in parallel.
        var runs = await Task.WhenAll(GenerateBatchAsync(first, prompts, 16), GenerateBatchAsync(second, prompts, 16));

        Assert.Equal(expectedA, runs[0]);
        Assert.Equal(expectedB, runs[1]);
        Assert.NotEqual(runs[0], runs[1]);
        Assert.Equal(1, engine.WeightsCache.LoadCount);
        Assert.Equal(1, engine.WeightsCache.LoadedCount);
    }

    [Fact]
    public async Task MemoryBytes_BaseAndTwoAdapters_CountBaseWeightsOnce()
    {
        var engine = NewEngine();
        var baseModel = await LoadAsync(engine, BasePath, "base:1", ModelManifestFor("model.gguf"), new() { ["model.gguf"] = BasePath });
        await using var first = await LoadAdapterAsync(engine, "a");
        await using var second = await LoadAdapterAsync(engine, "b");
        var baseBytes = baseModel.MemoryBytes;
        var weightBytes = new FileInfo(BasePath).Length;

        // The adapters hold their context and factors only; the base model holds the weights.
        Assert.True(baseBytes > weightBytes * 9 / 10, $"base {baseBytes} < weights {weightBytes}");
        Assert.True(first.MemoryBytes < baseBytes - (weightBytes * 9 / 10), $"adapter {first.MemoryBytes} counts the weights again");
        Assert.True(second.MemoryBytes < baseBytes - (weightBytes * 9 / 10));

        // Unloading the base hands the count to the oldest remaining holder, and the adapters keep generating.
        var prompt = first.Tokenize("hello world", addSpecialTokens: true);
        var before = await LlamaTestModels.GenerateAloneAsync(first, prompt, Greedy, 8);
        await baseModel.DisposeAsync();
        Assert.True(first.MemoryBytes > weightBytes * 9 / 10);
        Assert.True(second.MemoryBytes < weightBytes);
        Assert.Equal(before, await LlamaTestModels.GenerateAloneAsync(first, prompt, Greedy, 8));
        Assert.Equal(1, engine.WeightsCache.LoadCount);
    }

    [Fact]
    public async Task DisposeAsync_OneAdapter_BaseAndOtherAdapterKeepServingUnchanged()
    {
        var engine = NewEngine();
        await using var baseModel = await LoadAsync(engine, BasePath, "base:1", ModelManifestFor("model.gguf"), new() { ["model.gguf"] = BasePath });
        var first = await LoadAdapterAsync(engine, "a");
        await using var second = await LoadAdapterAsync(engine, "b");
        var prompt = baseModel.Tokenize("the model is a test", addSpecialTokens: true);
        var baseBefore = await LlamaTestModels.GenerateAloneAsync(baseModel, prompt, Greedy, 12);
        var secondBefore = await LlamaTestModels.GenerateAloneAsync(second, prompt, Greedy, 12);

        await first.DisposeAsync();

        Assert.Equal(baseBefore, await LlamaTestModels.GenerateAloneAsync(baseModel, prompt, Greedy, 12));
        Assert.Equal(secondBefore, await LlamaTestModels.GenerateAloneAsync(second, prompt, Greedy, 12));
        Assert.Equal(1, engine.WeightsCache.LoadedCount);

        // Loading it again works on the same weights.
        await using var again = await LoadAdapterAsync(engine, "a");
        Assert.Equal(1, engine.WeightsCache.LoadCount);
    }

    [Fact]
    public async Task LoadAsync_AdapterForOtherBase_FailsWithReasonAndFreesTheWeights()
    {
        var otherBase = Path.Combine(_folder, "other.gguf");
        TinyLlamaGguf.Write(otherBase, new TinyLlamaOptions { EmbeddingLength = 32, FeedForwardLength = 64, ContextLength = 128 });
        var wrong = Path.Combine(_folder, "wrong.gguf");
        LoraGguf.Write(otherBase, wrong);
        var engine = NewEngine();

        var error = await Assert.ThrowsAsync<MaasException>(() => LoadAsync(
            engine, wrong, "wrong:1", AdapterManifest(), new() { ["adapter.gguf"] = wrong, [AdapterProperties.BaseFileName] = BasePath }));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(0, engine.WeightsCache.LoadedCount);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a model not yet disposed; the temp folder is cleaned later.
        }
    }

    internal static LlamaEngine NewEngine() =>
        new(Options.Create(new LlamaEngineOptions { ContextSize = 256 }), NullLoggerFactory.Instance);

    private Task<ITextGenerator> LoadAdapterAsync(LlamaEngine engine, string name) =>
        LoadAsync(engine, AdapterPath(name), $"adapter-{name}:1", AdapterManifest(), new() { ["adapter.gguf"] = AdapterPath(name), [AdapterProperties.BaseFileName] = BasePath });

    private static ModelManifest ModelManifestFor(string file) => new()
    {
        Format = ModelFormats.Gguf,
        Engine = LlamaEngine.EngineName,
        Task = ModelTasks.TextGeneration,
        ModelFile = file,
    };

    private static ModelManifest AdapterManifest() => ModelManifestFor("adapter.gguf") with
    {
        Properties = new Dictionary<string, string> { [AdapterProperties.BaseFile] = AdapterProperties.BaseFileName, [AdapterProperties.Type] = "lora" },
    };

    private static async Task<ITextGenerator> LoadAsync(LlamaEngine engine, string path, string key, ModelManifest manifest, Dictionary<string, string> files)
    {
        Assert.True(File.Exists(path));
        var context = new ModelLoadContext(key, manifest, files, new DeploymentSettings { IntraOpThreads = 1, MaxBatchSize = 4 });
        return Assert.IsAssignableFrom<ITextGenerator>(await engine.LoadAsync(context));
    }

    /// <summary>All prompts as one batch, stepped together until each has <paramref name="count"/> tokens.</summary>
    private static async Task<List<List<int>>> GenerateBatchAsync(ITextGenerator generator, IReadOnlyList<IReadOnlyList<int>> prompts, int count)
    {
        var sequences = prompts.Select(p => generator.StartSequence(p, Greedy)).ToList();
        try
        {
            var tokens = prompts.Select(_ => new List<int>()).ToList();
            for (var i = 0; i < count; i++)
            {
                var step = await generator.StepAsync(sequences);
                for (var s = 0; s < step.Count; s++)
                {
                    tokens[s].Add(step[s].TokenId);
                }
            }

            return tokens;
        }
        finally
        {
            foreach (var sequence in sequences)
            {
                sequence.Dispose();
            }
        }
    }
}
