using System.Diagnostics;
using System.Globalization;
using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Maas.Bench;

/// <summary>
/// The <c>lora</c> mode (issue 13, done-when 4): two LoRA adapters over one base, decoding concurrently, against the two
/// merged-weights models loaded separately. Usage: <c>lora adapters|merged DIR [WIDTH]</c>, each mode in its own process
/// so the resident-set figures do not mix. The first run writes the base (llama, WIDTH wide, 8 blocks, F32), two random
/// adapters (rank 16) and the two merged models into DIR. <c>adapters</c> loads both adapters through one engine (the
/// base weights once, one context each), <c>merged</c> the two merged models; both then generate 64 greedy tokens for
/// 4 prompts on each model concurrently and print the resident-set growth, the host's memory accounting
/// (ILoadedModel.MemoryBytes), decode time and a digest of the tokens; <c>adapters</c> finally loads the merged models
/// and checks the outputs are equal.
/// </summary>
internal static class LoraBenchmark
{
    private static readonly string[] Prompts = ["hello world", "the model is a test", "one two three", "tiny llama token"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[0] is not ("adapters" or "merged"))
        {
            Console.Error.WriteLine("usage: lora adapters|merged DIR [WIDTH]");
            return 2;
        }

        var folder = args[1];
        var width = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 512;
        Prepare(folder, width);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var before = ResidentBytes();
        var engine = NewEngine();
        ITextGenerator first, second;
        if (args[0] == "adapters")
        {
            first = await LoadAsync(engine, Path.Combine(folder, "a.gguf"), Path.Combine(folder, "base.gguf"));
            second = await LoadAsync(engine, Path.Combine(folder, "b.gguf"), Path.Combine(folder, "base.gguf"));
        }
        else
        {
            first = await LoadAsync(engine, Path.Combine(folder, "merged-a.gguf"), null);
            second = await LoadAsync(engine, Path.Combine(folder, "merged-b.gguf"), null);
        }

        var watch = Stopwatch.StartNew();
        var outputs = await Task.WhenAll(GenerateAsync(first), GenerateAsync(second));
        var decode = watch.Elapsed;
        var resident = ResidentBytes() - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mode={args[0]} width={width} base_file_mib={Mib(new FileInfo(Path.Combine(folder, "base.gguf")).Length):F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rss_growth_mib={Mib(resident):F1} accounted_mib={Mib(first.MemoryBytes + second.MemoryBytes):F1} weight_loads={engine.WeightsCache.LoadCount}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decode_s={decode.TotalSeconds:F2} tokens={2 * Prompts.Length * 64} tokens_per_s={2 * Prompts.Length * 64 / decode.TotalSeconds:F1}"));
        Console.WriteLine($"digest={Digest(outputs)}");
        if (args[0] == "adapters")
        {
            var reference = NewEngine();
            await using var mergedA = await LoadAsync(reference, Path.Combine(folder, "merged-a.gguf"), null);
            await using var mergedB = await LoadAsync(reference, Path.Combine(folder, "merged-b.gguf"), null);
            var merged = await Task.WhenAll(GenerateAsync(mergedA), GenerateAsync(mergedB));
            var equal = Digest(merged) == Digest(outputs);
            Console.WriteLine($"equal_to_merged={equal} adapters_differ={Digest([outputs[0]]) != Digest([outputs[1]])}");
            if (!equal)
            {
                return 1;
            }
        }

        await first.DisposeAsync();
        await second.DisposeAsync();
        return 0;
    }

    private static void Prepare(string folder, int width)
    {
        Directory.CreateDirectory(folder);
        var basePath = Path.Combine(folder, "base.gguf");
        if (File.Exists(Path.Combine(folder, "merged-b.gguf")))
        {
            return;
        }

        TinyLlamaGguf.Write(basePath, new TinyLlamaOptions { EmbeddingLength = width, HeadCount = 8, BlockCount = 8, FeedForwardLength = width * 11 / 4, ContextLength = 512 });
        foreach (var (name, seed) in new[] { ("a", 1), ("b", 2) })
        {
            var adapter = Path.Combine(folder, name + ".gguf");
            LoraGguf.Write(basePath, adapter, new LoraAdapterOptions { Name = name, Seed = seed, Rank = 16, Alpha = 16, WeightScale = 0.08f });
            LoraGguf.Merge(basePath, adapter, Path.Combine(folder, $"merged-{name}.gguf"));
        }
    }

    private static LlamaEngine NewEngine() =>
        new(Options.Create(new LlamaEngineOptions { ContextSize = 1024 }), NullLoggerFactory.Instance);

    private static async Task<ITextGenerator> LoadAsync(LlamaEngine engine, string path, string? basePath)
    {
        var manifest = new ModelManifest { Format = ModelFormats.Gguf, Engine = LlamaEngine.EngineName, Task = ModelTasks.TextGeneration, ModelFile = "model.gguf" };
        var files = new Dictionary<string, string> { ["model.gguf"] = path };
        if (basePath is not null)
        {
            manifest = manifest with { Properties = new Dictionary<string, string> { [AdapterProperties.BaseFile] = AdapterProperties.BaseFileName } };
            files[AdapterProperties.BaseFileName] = basePath;
        }

        var context = new ModelLoadContext(Path.GetFileName(path), manifest, files, new DeploymentSettings { IntraOpThreads = 1, MaxBatchSize = Prompts.Length });
        return (ITextGenerator)await engine.LoadAsync(context);
    }

    private static async Task<List<List<int>>> GenerateAsync(ITextGenerator generator)
    {
        var greedy = new SamplingOptions { Temperature = 0f };
        var sequences = Prompts.Select(p => generator.StartSequence(generator.Tokenize(p, addSpecialTokens: true), greedy)).ToList();
        var tokens = Prompts.Select(_ => new List<int>()).ToList();
        for (var i = 0; i < 64; i++)
        {
            var step = await generator.StepAsync(sequences);
            for (var s = 0; s < step.Count; s++)
            {
                tokens[s].Add(step[s].TokenId);
            }
        }

        foreach (var sequence in sequences)
        {
            sequence.Dispose();
        }

        return tokens;
    }

    private static string Digest(IEnumerable<List<List<int>>> outputs) =>
        string.Join("|", outputs.Select(o => string.Join(";", o.Select(t => string.Join(",", t)))));

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return Environment.WorkingSet;
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);
}
