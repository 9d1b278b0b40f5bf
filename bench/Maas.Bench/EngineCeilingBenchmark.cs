using System.Diagnostics;
using System.Globalization;
using Maas.Engines.Onnx;
using Maas.Samples;
using Maas.Serving.Processing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Maas.Bench;

/// <summary>
/// The <c>engine-ceiling</c> mode: all-MiniLM-L6-v2 in bare ONNX Runtime sessions, no Maas code on the call path, on
/// the batching benchmark's eight sentences (tokenised as the server does). It measures what batching can gain on this
/// CPU before any server is involved: single texts (the best of several caller and thread layouts) against batches of
/// eight padded to their longest text (what the server's batcher builds) and against batches of eight texts of one
/// length (no padding at all, the bound for any padding or length-grouping policy). Throughput is in texts per second
/// and in real (unpadded) tokens per second.
/// </summary>
internal static class EngineCeilingBenchmark
{
    public static int Run(string[] args)
    {
        var seconds = 5.0;
        var rounds = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[i]}; use engine-ceiling --rounds N --seconds S.");
            }
        }

        var folder = Directory.CreateTempSubdirectory("maas-engine-ceiling-");
        try
        {
            var model = Path.Combine(folder.FullName, "model.onnx");
            var vocab = Path.Combine(folder.FullName, "vocab.txt");
            SampleModels.CopyMiniLmFile("model.onnx", model);
            SampleModels.CopyMiniLmFile("vocab.txt", vocab);
            var encoder = new WordPieceEncoder(vocab, lowerCase: true, maxLength: 256);
            var texts = BatchingBenchmark.Sentences.Select(encoder.Tokenize).ToArray();
            return Measure(model, encoder, texts, TimeSpan.FromSeconds(seconds), rounds);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static int Measure(string modelPath, WordPieceEncoder encoder, long[][] texts, TimeSpan duration, int rounds)
    {
        var cores = Environment.ProcessorCount;
        var single = Enumerable.Range(0, cores).Select(_ => Open(modelPath, 1)).ToArray();
        using var all = Open(modelPath, cores);
        try
        {
            var singles = Inputs(texts.Select(t => encoder.Pad([t])));
            var padded = Inputs(Enumerable.Range(0, texts.Length).Select(start => encoder.Pad(Enumerable.Range(start, 8).Select(j => texts[j % texts.Length]).ToArray())));
            var unpadded = Inputs(texts.Select(t => encoder.Pad(Enumerable.Repeat(t, 8).ToArray())));
            var realTokensPerText = texts.Average(t => t.Length);

            var scenarios = new List<(string Name, InferenceSession[] Sessions, int CallersPerSession, Calls Calls, int Rows)>
            {
                ($"single texts, {cores} sessions × 1 thread, 1 caller each", single, 1, singles, 1),
                ($"single texts, {cores} sessions × 1 thread, 4 callers each", single, 4, singles, 1),
                ($"single texts, 1 session × {cores} threads, 1 caller", [all], 1, singles, 1),
                ($"single texts, 1 session × {cores} threads, 8 callers", [all], 8, singles, 1),
                ($"batches of 8 padded to the longest, {cores} sessions × 1 thread", single, 1, padded, 8),
                ($"batches of 8 padded to the longest, 1 session × {cores} threads", [all], 1, padded, 8),
                ($"batches of 8 of one length (no padding), {cores} sessions × 1 thread", single, 1, unpadded, 8),
                ($"batches of 8 of one length (no padding), 1 session × {cores} threads", [all], 1, unpadded, 8),
            };
            foreach (var s in scenarios)
            {
                RunFor(s.Sessions, s.CallersPerSession, s.Calls, TimeSpan.FromSeconds(0.5));
            }

            var results = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
            for (var round = 0; round < rounds; round++)
            {
                var offset = round * scenarios.Count / Math.Max(1, rounds);
                foreach (var s in scenarios.Skip(offset).Concat(scenarios.Take(offset)))
                {
                    var rowsPerSecond = RunFor(s.Sessions, s.CallersPerSession, s.Calls, duration) * s.Rows;
                    results[s.Name].Add(rowsPerSecond);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1} {s.Name,-70} {rowsPerSecond,8:F1} texts/s"));
                }
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"Bare ONNX Runtime, all-MiniLM-L6-v2, {cores} cores; the eight benchmark sentences ({string.Join(", ", texts.Select(t => t.Length))} tokens with [CLS] and [SEP]; batches of 8 padded to {padded.SequenceLength}); medians of {rounds} rounds × {duration.TotalSeconds:F0} s.");
            Console.WriteLine();
            Console.WriteLine("| layout | texts/s | real tokens/s |");
            Console.WriteLine("|---|---|---|");
            var medians = results.ToDictionary(r => r.Key, r => Stats.Median(r.Value));
            foreach (var s in scenarios)
            {
                Console.WriteLine(string.Create(inv, $"| {s.Name} | {medians[s.Name]:F1} | {medians[s.Name] * realTokensPerText:F0} |"));
            }

            var bestSingle = scenarios.Where(s => s.Rows == 1).Max(s => medians[s.Name]);
            var bestPadded = scenarios.Where(s => s.Calls == padded).Max(s => medians[s.Name]);
            var bestUnpadded = scenarios.Where(s => s.Calls == unpadded).Max(s => medians[s.Name]);
            Console.WriteLine();
            Console.WriteLine("| gain from batching (texts/s ÷ best single-text layout) | ratio |");
            Console.WriteLine("|---|---|");
            Console.WriteLine(string.Create(inv, $"| batches of 8 as the server builds them (padded to the longest) | **{bestPadded / bestSingle:F3}** |"));
            Console.WriteLine(string.Create(inv, $"| batches of 8 with no padding (bound for any padding policy) | **{bestUnpadded / bestSingle:F3}** |"));
            return 0;
        }
        finally
        {
            foreach (var session in single)
            {
                session.Dispose();
            }
        }
    }

    /// <summary>The inputs of each call of a scenario, and the longest sequence among them.</summary>
    private sealed record Calls(List<NamedOnnxValue>[] Inputs, int SequenceLength);

    /// <summary>The session inputs of each batch, built once so the timed loop runs the session only.</summary>
    private static Calls Inputs(IEnumerable<EncodedBatch> batches)
    {
        var list = batches.ToArray();
        return new Calls(list.Select(b =>
        {
            int[] shape = [b.BatchSize, b.SequenceLength];
            return new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(b.InputIds, shape)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(b.AttentionMask, shape)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(b.TokenTypeIds, shape)),
            };
        }).ToArray(), list.Max(b => b.SequenceLength));
    }

    /// <summary>A session built with the ONNX engine's own options (its defaults: sequential, all graph optimisations,
    /// no spinning), so the only difference from the server's sessions is what runs around them.</summary>
    private static InferenceSession Open(string path, int threads)
    {
        using var options = OnnxEngine.CreateSessionOptions(new OnnxEngineOptions(), threads);
        return new InferenceSession(path, options);
    }

    /// <summary>Calls per second over <paramref name="duration"/>, each caller on its own thread cycling through the inputs.</summary>
    private static double RunFor(InferenceSession[] sessions, int callersPerSession, Calls calls, TimeSpan duration)
    {
        long count = 0;
        string[] outputs = ["last_hidden_state"];
        var stopwatch = Stopwatch.StartNew();
        var threads = new List<Thread>();
        var caller = 0;
        foreach (var session in sessions)
        {
            for (var c = 0; c < callersPerSession; c++)
            {
                var first = caller++;
                var thread = new Thread(() =>
                {
                    for (var i = first; stopwatch.Elapsed < duration; i++)
                    {
                        using var result = session.Run(calls.Inputs[i % calls.Inputs.Length], outputs);
                        Interlocked.Increment(ref count);
                    }
                });
                thread.Start();
                threads.Add(thread);
            }
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return count / stopwatch.Elapsed.TotalSeconds;
    }
}
