using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Engines.Llama;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>Loads GGUF files through <see cref="LlamaEngine"/> the way the model host does.</summary>
internal static class LlamaTestModels
{
    public static async Task<ITextGenerator> LoadAsync(string path, int contextSize = 256, int maxSequences = 4, int prefixCacheSequences = 8)
    {
        var model = await LoadModelAsync(path, contextSize, maxSequences, prefixCacheSequences);
        return Assert.IsAssignableFrom<ITextGenerator>(model);
    }

    /// <remarks><paramref name="prefixCacheSequences"/> 0 turns prefix caching off.</remarks>
    public static Task<ILoadedModel> LoadModelAsync(string path, int contextSize = 256, int maxSequences = 4, int prefixCacheSequences = 8)
    {
        var options = new LlamaEngineOptions { ContextSize = contextSize, PrefixCache = prefixCacheSequences > 0, PrefixCacheSequences = prefixCacheSequences };
        var engine = new LlamaEngine(Options.Create(options), NullLoggerFactory.Instance);
        var manifest = new ModelManifest
        {
            Format = ModelFormats.Gguf,
            Engine = LlamaEngine.EngineName,
            Task = ModelTasks.TextGeneration,
            ModelFile = "model.gguf",
        };
        var context = new ModelLoadContext("tiny:1", manifest, new Dictionary<string, string> { ["model.gguf"] = path },
            new DeploymentSettings { IntraOpThreads = 1, MaxBatchSize = maxSequences });
        return engine.LoadAsync(context);
    }

    /// <summary>Runs one sequence alone to the given length and disposes it.</summary>
    public static async Task<List<int>> GenerateAloneAsync(ITextGenerator generator, IReadOnlyList<int> prompt, SamplingOptions sampling, int count)
    {
        using var sequence = generator.StartSequence(prompt, sampling);
        var tokens = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var step = await generator.StepAsync([sequence]);
            tokens.Add(step[0].TokenId);
        }

        return tokens;
    }
}
