using System.Diagnostics;
using System.Globalization;
using Maas.Formats.Onnx;
using Maas.Optimization.Quantization.Dynamic;
using Maas.Optimization.Quantization.Fp16;
using Maas.Optimization.Quantization.Int4;
using Maas.Samples;
using Maas.Serving.Processing;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Bench;

/// <summary>
/// The <c>quantize</c> mode: all-MiniLM-L6-v2 fp32 against its rewrite by a pass (<c>--method</c>: dynamic-int8, the
/// default, with int8 embeddings; int4; fp16; default options), straight
/// through ONNX Runtime with the same session options: file size, rows per second at batch 1 and batch 32 measured in
/// alternating rounds (so load from other processes hits both alike), and the cosine of the mean-pooled embeddings
/// over 96 varied sentences. Prints one line per figure; `--dump` also writes ORT's optimized int8 graph's operator
/// counts, to see whether the MatMulIntegerToFloat / DynamicQuantizeMatMul fusions fired. Usage:
/// <c>quantize [ROUNDS] [--method M] [--dump]</c>.
/// </summary>
internal static class QuantizeBenchmark
{
    private static readonly string[] Subjects = ["The cat", "A small team", "Our new server", "The river", "Every student", "My grandmother", "The committee", "This library"];
    private static readonly string[] Verbs = ["quietly watched", "rebuilt", "measured", "ignored", "celebrated", "translated", "questioned", "painted"];
    private static readonly string[] Objects =
    [
        "the old bridge at dawn", "a model that serves embeddings", "the results of the last experiment before the deadline",
        "every line of the contract", "snow", "the stars over a quiet village in the mountains", "their budget", "a song about trains",
    ];

    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 6;
        var dump = args.Contains("--dump");
        var method = args.SkipWhile(a => a != "--method").Skip(1).FirstOrDefault() ?? DynamicInt8Options.Method;
        var optionsJson = args.SkipWhile(a => a != "--options").Skip(1).FirstOrDefault() ?? "{}";
        var useSampleTexts = args.Contains("--sample-texts");
        Func<Maas.Formats.Onnx.Proto.ModelProto, IReadOnlyList<string>> rewrite = method switch
        {
            DynamicInt8Options.Method => m => DynamicInt8Quantizer.Apply(m, DynamicInt8Options.Parse(System.Text.Json.JsonDocument.Parse(optionsJson).RootElement)),
            Int4Options.Method => m => Int4Quantizer.Apply(m, Int4Options.Default),
            Fp16Options.Method => m => Fp16Converter.Apply(m, Fp16Options.Default),
            _ => throw new ArgumentException($"Unknown method '{method}'."),
        };
        var folder = Path.Combine(Path.GetTempPath(), "maas-quantize-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var fp32Path = Path.Combine(folder, "model.onnx");
            var vocab = Path.Combine(folder, "vocab.txt");
            SampleModels.CopyMiniLmFile("model.onnx", fp32Path);
            SampleModels.CopyMiniLmFile("vocab.txt", vocab);
            var int8Path = Path.Combine(folder, "int8", "model.onnx");
            Directory.CreateDirectory(Path.GetDirectoryName(int8Path)!);

            var watch = Stopwatch.StartNew();
            var model = OnnxModelFile.Load(fp32Path);
            var notes = rewrite(model);
            var files = OnnxModelFile.Save(model, int8Path);
            Console.WriteLine($"pass: {watch.Elapsed.TotalSeconds:F1} s; {string.Join(" ", notes)}");
            var fp32Bytes = new FileInfo(fp32Path).Length;
            var int8Bytes = files.Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"size: fp32 {fp32Bytes} B, {method} {int8Bytes} B, ratio {(double)int8Bytes / fp32Bytes:F3}");

            var encoder = new WordPieceEncoder(vocab, lowerCase: true, maxLength: 128);
            var sentences = useSampleTexts ? [.. Maas.Optimization.Evaluation.SampleTexts.Sentences] : Sentences();
            using var fp32 = Open(fp32Path, null);
            using var int8 = Open(int8Path, dump ? Path.Combine(folder, "int8-optimized.onnx") : null);
            if (dump)
            {
                var optimized = OnnxModelFile.Load(Path.Combine(folder, "int8-optimized.onnx"));
                var counts = optimized.Graph.Node.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}={g.Count()}");
                Console.WriteLine("optimized graph: " + string.Join(" ", counts));
            }

            var cosines = sentences.Select(s =>
            {
                var batch = encoder.Encode([s]);
                return Cosine(Embed(fp32, batch), Embed(int8, batch));
            }).ToList();
            Console.WriteLine($"cosine over {cosines.Count} sentences: mean {cosines.Average():F5}, min {cosines.Min():F5}");
            foreach (var (c, s) in cosines.Zip(sentences).OrderBy(p => p.First).Take(5))
            {
                Console.WriteLine($"  {c:F4} {s}");
            }

            // quantize 0: size and agreement only.
            foreach (var batchSize in rounds > 0 ? [1, 32] : Array.Empty<int>())
            {
                var batches = Enumerable.Range(0, 8).Select(i => encoder.Encode([.. Enumerable.Range(i * batchSize, batchSize).Select(j => sentences[j % sentences.Count])])).ToList();
                Embed(fp32, batches[0]);
                Embed(int8, batches[0]);
                var ratios = new List<double>();
                double fp32Total = 0, int8Total = 0;
                for (var round = 0; round < rounds; round++)
                {
                    // Alternate which model goes first so a load change during a round does not favor one of them.
                    var a = round % 2 == 0 ? RowsPerSecond(fp32, batches, batchSize) : 0;
                    var b = RowsPerSecond(int8, batches, batchSize);
                    if (round % 2 == 1)
                    {
                        a = RowsPerSecond(fp32, batches, batchSize);
                    }

                    fp32Total += a;
                    int8Total += b;
                    ratios.Add(b / a);
                }

                ratios.Sort();
                Console.WriteLine(
                    $"batch {batchSize}: fp32 {fp32Total / rounds:F1} rows/s, {method} {int8Total / rounds:F1} rows/s, ratio median {ratios[ratios.Count / 2]:F2} (min {ratios[0]:F2}, max {ratios[^1]:F2}) over {rounds} rounds");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static List<string> Sentences()
    {
        var sentences = new List<string>();
        for (var i = 0; i < 96; i++)
        {
            var s = $"{Subjects[i % 8]} {Verbs[(i / 8) % 8]} {Objects[(i * 3 + (i / 8)) % 8]}.";
            sentences.Add(i % 5 == 0 ? s + " Nobody expected it, and the consequences were discussed for weeks afterwards." : s);
        }

        return sentences;
    }

    private static InferenceSession Open(string path, string? optimizedPath)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (optimizedPath is not null)
        {
            options.OptimizedModelFilePath = optimizedPath;
        }

        return new InferenceSession(path, options);
    }

    private static float[] Embed(InferenceSession session, EncodedBatch batch)
    {
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]);
        var tokens = outputs[0].GetTensorDataAsSpan<float>();
        var dims = tokens.Length / (batch.BatchSize * batch.SequenceLength);
        var pooled = new float[batch.BatchSize * dims];
        Pooling.MeanPool(tokens, batch.AttentionMask, batch.BatchSize, batch.SequenceLength, dims, pooled);
        return pooled;
    }

    private static double RowsPerSecond(InferenceSession session, List<EncodedBatch> batches, int batchSize)
    {
        var watch = Stopwatch.StartNew();
        var rows = 0;
        var i = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(batchSize == 1 ? 1.5 : 4) || rows < batchSize * 2)
        {
            Embed(session, batches[i++ % batches.Count]);
            rows += batchSize;
        }

        return rows / watch.Elapsed.TotalSeconds;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
