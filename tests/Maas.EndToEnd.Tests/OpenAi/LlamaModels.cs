using System.Text;
using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>Tiny random-weight GGUF models and an in-process greedy reference decoder for the generation tests.</summary>
internal static class LlamaModels
{
    /// <summary>Writes a tiny llama model to a new temporary folder and returns its path and bytes.</summary>
    public static (string Path, byte[] Bytes) WriteTiny(TinyLlamaOptions? options = null)
    {
        var folder = TempFolder.Create("maas-e2e-gguf");
        var path = System.IO.Path.Combine(folder, "model.gguf");
        TinyLlamaGguf.Write(path, options ?? new TinyLlamaOptions());
        return (path, File.ReadAllBytes(path));
    }

    /// <summary>Loads a GGUF file through the same engine the server uses, outside the server.</summary>
    public static async Task<ITextGenerator> LoadInProcessAsync(string path, int contextSize, int maxSequences = 1)
    {
        var engine = new LlamaEngine(
            Options.Create(new LlamaEngineOptions { ContextSize = contextSize }),
            NullLoggerFactory.Instance);
        var manifest = new ModelManifest
        {
            Format = ModelFormats.Gguf,
            Engine = LlamaEngine.EngineName,
            Task = ModelTasks.TextGeneration,
            ModelFile = "model.gguf",
        };
        var context = new ModelLoadContext("reference:1", manifest, new Dictionary<string, string> { ["model.gguf"] = path },
            new DeploymentSettings { IntraOpThreads = 1, MaxBatchSize = maxSequences });
        var model = await engine.LoadAsync(context);
        return Assert.IsAssignableFrom<ITextGenerator>(model);
    }

    /// <summary>Greedy decoding of one prompt, alone, until an end-of-generation token or <paramref name="maxTokens"/>.</summary>
    /// <returns>The text (end tokens contribute none) and the number of tokens generated, end token included.</returns>
    public static async Task<(string Text, int Tokens, bool Ended)> GreedyAsync(ITextGenerator generator, string prompt, int maxTokens)
    {
        var tokens = generator.Tokenize(prompt, addSpecialTokens: true);
        using var sequence = generator.StartSequence(tokens, new SamplingOptions { Temperature = 0f });
        var bytes = new List<byte>();
        var ends = generator.Info.EndOfGenerationTokens;
        for (var i = 0; i < maxTokens; i++)
        {
            var step = await generator.StepAsync([sequence]);
            var token = step[0].TokenId;
            if (ends.Contains(token))
            {
                return (Encoding.UTF8.GetString(bytes.ToArray()), i + 1, true);
            }

            bytes.AddRange(generator.GetTokenBytes(token));
        }

        return (Encoding.UTF8.GetString(bytes.ToArray()), maxTokens, false);
    }
}
