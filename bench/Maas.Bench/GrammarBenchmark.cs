using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Maas.Core.Engines;
using Maas.Core.Grammars;
using Maas.Core.Models;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Maas.Bench;

/// <summary>
/// `grammar [requests] [word-piece target]`: structured output on a random-weight llama with a generated vocabulary of at least
/// 32k tokens, 4 sequences decoded together at temperature 1 under the strict nested schema of StructuredOutputTests:
/// how many outputs parse (and match the grammar), and the grammar's share of step time, measured inside the engine
/// (docs/benchmarks-llm.md, issue 13 done-when 1).
/// </summary>
internal static class GrammarBenchmark
{
    private const int Concurrent = 4;
    private const int MaxTokens = 900;

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100;
        var vocabularyTarget = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 44_000;
        var schemaPath = Path.Combine(AppContext.BaseDirectory, "strict-schema.json");
        var folder = Directory.CreateTempSubdirectory("maas-grammar-bench").FullName;
        try
        {
            var path = Path.Combine(folder, "model.gguf");
            TinyLlamaGguf.Write(path, new TinyLlamaOptions { Name = "grammar-bench", ContextLength = 1024, ExtraWords = Words(vocabularyTarget) });
            var engine = new LlamaEngine(Options.Create(new LlamaEngineOptions { ContextSize = 4096 }), NullLoggerFactory.Instance);
            var manifest = new ModelManifest { Format = ModelFormats.Gguf, Engine = LlamaEngine.EngineName, Task = ModelTasks.TextGeneration, ModelFile = "model.gguf" };
            await using var model = await engine.LoadAsync(new ModelLoadContext("bench:1", manifest, new Dictionary<string, string> { ["model.gguf"] = path },
                new DeploymentSettings { IntraOpThreads = 2, MaxBatchSize = Concurrent }));
            var generator = (LlamaTextGenerator)model;
            using var schema = JsonDocument.Parse(File.ReadAllText(schemaPath));
            var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.ToGbnf(schema.RootElement));
            var prompt = generator.Tokenize("an order:", true);

            // Unconstrained steps first, as the baseline step time at the same batch size.
            var free = await DecodeAsync(generator, prompt, new SamplingOptions { Temperature = 1f, Seed = 1 }, Concurrent, 200);
            var (steps0, ticks0, _) = generator.StepTimings;
            var started = Stopwatch.GetTimestamp();
            var outputs = await DecodeAsync(generator, prompt, new SamplingOptions { Temperature = 1f, Seed = 2, Grammar = grammar }, requests, MaxTokens);
            var wall = Stopwatch.GetElapsedTime(started);
            var (steps, ticks, grammarTicks) = generator.StepTimings;
            var parsed = outputs.Count(o => o.Completed && Parses(o.Text) && grammar.Matches(o.Text));
            var stepMs = (ticks - ticks0) * 1000.0 / Stopwatch.Frequency / (steps - steps0);
            var grammarMs = grammarTicks * 1000.0 / Stopwatch.Frequency / (steps - steps0);
            Console.WriteLine($"vocabulary {generator.Info.VocabularySize} tokens, {requests} requests at temperature 1, {Concurrent} sequences per step");
            Console.WriteLine($"outputs that completed, parse and match the grammar: {parsed}/{requests}; mean {outputs.Average(o => o.Tokens):F0} tokens; wall {wall.TotalSeconds:F1} s");
            Console.WriteLine($"unconstrained step: {ticks0 * 1000.0 / Stopwatch.Frequency / steps0:F3} ms ({steps0} steps)");
            Console.WriteLine($"constrained step: {stepMs:F3} ms, of which grammar {grammarMs:F3} ms = {grammarMs / stepMs * 100:F1} % ({steps - steps0} steps)");
            foreach (var failed in outputs.Where(o => !(o.Completed && Parses(o.Text) && grammar.Matches(o.Text))).Take(3))
            {
                Console.WriteLine($"not valid ({failed.Tokens} tokens, completed {failed.Completed}, matches {grammar.Matches(failed.Text)}): {failed.Text}");
            }

            return parsed == requests ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<(string Text, int Tokens, bool Completed)>> DecodeAsync(LlamaTextGenerator generator, IReadOnlyList<int> prompt, SamplingOptions sampling, int requests, int maxTokens)
    {
        var done = new List<(string, int, bool)>();
        var active = new List<(IGenerationSequence Sequence, List<byte> Bytes, int Tokens)>();
        var started = 0;
        var ends = generator.Info.EndOfGenerationTokens;
        while (done.Count < requests)
        {
            while (active.Count < Concurrent && started < requests)
            {
                active.Add((generator.StartSequence(prompt, sampling with { Seed = (uint)started + (sampling.Seed ?? 0) * 1000 }), [], 0));
                started++;
            }

            var tokens = await generator.StepAsync(active.Select(a => a.Sequence).ToList());
            for (var i = active.Count - 1; i >= 0; i--)
            {
                var (sequence, bytes, count) = active[i];
                var token = tokens[i];
                var isEnd = ends.Contains(token.TokenId);
                if (!isEnd)
                {
                    bytes.AddRange(generator.GetTokenBytes(token.TokenId));
                }

                active[i] = (sequence, bytes, ++count);
                if (isEnd || token.CompletesGrammar || count >= maxTokens)
                {
                    sequence.Dispose();
                    active.RemoveAt(i);
                    done.Add((Encoding.UTF8.GetString([.. bytes]), count, isEnd || token.CompletesGrammar));
                }
            }
        }

        return done;
    }

    private static bool Parses(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // Random lower-case words; each brings its prefixes into the vocabulary, so about a fifth as many words as tokens.
    private static List<string> Words(int target)
    {
        var random = new Random(11);
        var words = new HashSet<string>();
        var tokens = 0;
        while (tokens < target)
        {
            var length = random.Next(5, 10);
            var word = new string(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(26))).ToArray());
            if (words.Add(word))
            {
                tokens += length - 1;
            }
        }

        return [.. words];
    }
}
