using System.Diagnostics;
using System.Globalization;
using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Optimization;
using Maas.Optimization.Quantization.Dynamic;
using Maas.Optimization.Quantization.Fp16;
using Maas.Optimization.Quantization.Int4;
using Maas.Samples;
using Maas.Serving.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Bench;

/// <summary>
/// The <c>quantize</c> mode: all-MiniLM-L6-v2 fp32 against its rewrite by a pass (<c>--method</c>: dynamic-int8, the
/// default, with int8 embeddings; int4; fp16; default options), straight
/// through ONNX Runtime with the same session options: file size, rows per second at batch 1 and batch 32 measured in
/// alternating rounds (so load from other processes hits both alike), and the cosine of the mean-pooled embeddings
/// over 96 varied sentences. Prints one line per figure; `--dump` also writes ORT's optimized int8 graph's operator
/// counts, to see whether the MatMulIntegerToFloat / DynamicQuantizeMatMul fusions fired. dynamic-int8 runs through its
/// pass as the quantize job does, calibrated on the sentence set that is not evaluated (held out). Usage:
/// <c>quantize [ROUNDS] [--method M] [--dump] [--sample-texts] [--options JSON] [--also JSON ...]</c>; each
/// <c>--also</c> adds another dynamic-int8 option set, measured in the same interleaved rounds.
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

            var encoder = new WordPieceEncoder(vocab, lowerCase: true, maxLength: 128);
            var sentences = useSampleTexts ? [.. Maas.Optimization.Evaluation.SampleTexts.Sentences] : Sentences();

            // Calibration (smoothing) uses the other set of sentences, so the cosine below is measured on held-out texts.
            var calibrationTexts = useSampleTexts ? Sentences() : [.. Maas.Optimization.Evaluation.SampleTexts.Sentences];
            var watch = Stopwatch.StartNew();
            IReadOnlyList<string> files;
            if (method == DynamicInt8Options.Method)
            {
                var result = RunPass(fp32Path, Path.GetDirectoryName(int8Path)!, optionsJson, [.. calibrationTexts.Select(encoder.Tokenize)]);
                files = [.. Directory.EnumerateFiles(Path.GetDirectoryName(int8Path)!)];
                Console.WriteLine($"pass: {watch.Elapsed.TotalSeconds:F1} s; {string.Join(" ", result.Notes)}");
            }
            else
            {
                var model = OnnxModelFile.Load(fp32Path);
                var notes = rewrite(model);
                files = OnnxModelFile.Save(model, int8Path);
                Console.WriteLine($"pass: {watch.Elapsed.TotalSeconds:F1} s; {string.Join(" ", notes)}");
            }

            var fp32Bytes = new FileInfo(fp32Path).Length;
            var int8Bytes = files.Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"size: fp32 {fp32Bytes} B, {method} {int8Bytes} B, ratio {(double)int8Bytes / fp32Bytes:F3}");
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

            // `--also JSON` (repeatable): more dynamic-int8 option sets, measured in the same interleaved rounds.
            var variants = new List<(string Label, InferenceSession Session)> { (method + " " + optionsJson, int8) };
            var extra = args.Select((a, i) => (a, i)).Where(p => p.a == "--also" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
            for (var v = 0; v < extra.Count; v++)
            {
                var dir = Path.Combine(folder, "variant" + v);
                Directory.CreateDirectory(dir);
                var result = RunPass(fp32Path, dir, extra[v], [.. calibrationTexts.Select(encoder.Tokenize)]);
                var session = Open(Path.Combine(dir, "model.onnx"), null);
                var variantCosines = sentences.Select(s =>
                {
                    var batch = encoder.Encode([s]);
                    return Cosine(Embed(fp32, batch), Embed(session, batch));
                }).ToList();
                var bytes = Directory.EnumerateFiles(dir).Sum(f => new FileInfo(f).Length);
                Console.WriteLine($"variant {extra[v]}: size ratio {(double)bytes / fp32Bytes:F3}, cosine mean {variantCosines.Average():F5}, min {variantCosines.Min():F5}");
                variants.Add((extra[v], session));
            }

            // quantize 0: size and agreement only.
            foreach (var batchSize in rounds > 0 ? [1, 32] : Array.Empty<int>())
            {
                var batches = Enumerable.Range(0, 8).Select(i => encoder.Encode([.. Enumerable.Range(i * batchSize, batchSize).Select(j => sentences[j % sentences.Count])])).ToList();
                Embed(fp32, batches[0]);
                foreach (var (_, session) in variants)
                {
                    Embed(session, batches[0]);
                }

                var ratios = variants.Select(_ => new List<double>()).ToList();
                var totals = new double[variants.Count];
                double fp32Total = 0;
                for (var round = 0; round < rounds; round++)
                {
                    // Alternate the order (fp32 first, then last) so a load change during a round does not favor one side.
                    var order = Enumerable.Range(-1, variants.Count + 1).ToList();
                    if (round % 2 == 1)
                    {
                        order.Reverse();
                    }

                    var rates = new double[variants.Count];
                    double a = 0;
                    foreach (var i in order)
                    {
                        if (i < 0)
                        {
                            a = RowsPerSecond(fp32, batches, batchSize);
                        }
                        else
                        {
                            rates[i] = RowsPerSecond(variants[i].Session, batches, batchSize);
                        }
                    }

                    fp32Total += a;
                    for (var i = 0; i < variants.Count; i++)
                    {
                        totals[i] += rates[i];
                        ratios[i].Add(rates[i] / a);
                    }
                }

                for (var i = 0; i < variants.Count; i++)
                {
                    var r = ratios[i];
                    r.Sort();
                    Console.WriteLine(
                        $"batch {batchSize}: fp32 {fp32Total / rounds:F1} rows/s, {variants[i].Label} {totals[i] / rounds:F1} rows/s, ratio median {r[r.Count / 2]:F2} (min {r[0]:F2}, max {r[^1]:F2}) over {rounds} rounds");
                }
            }

            foreach (var (_, session) in variants.Skip(1))
            {
                session.Dispose();
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The dynamic-int8 pass as the quantize job runs it: calibration feeds (batch 1, one text each) and
    /// models loaded through the ONNX engine.</summary>
    private static PassResult RunPass(string fp32Path, string outputDirectory, string optionsJson, IReadOnlyList<long[]> calibration)
    {
        var services = new ServiceCollection().AddLogging().AddMaasOnnxEngine().AddMaasOptimization().BuildServiceProvider();
        try
        {
            var engine = services.GetServices<IModelEngine>().Single(e => e.Name == ModelFormats.Onnx);
            var pass = services.GetServices<IModelPass>().Single(p => p.Method == DynamicInt8Options.Method);
            var manifest = new ModelManifest { ModelFile = "model.onnx" };
            var feeds = calibration.Select(ids =>
            {
                long[] shape = [1, ids.Length];
                return (IReadOnlyList<Tensor>)
                [
                    Tensor.Create("input_ids", shape, ids),
                    Tensor.Create("attention_mask", shape, Enumerable.Repeat(1L, ids.Length).ToArray()),
                    Tensor.Create("token_type_ids", shape, new long[ids.Length]),
                ];
            }).ToList();
            async Task<ITensorModel> Load(string path, CancellationToken ct) =>
                (ITensorModel)await engine.LoadAsync(new ModelLoadContext(Path.GetFileName(path), manifest with { ModelFile = Path.GetFileName(path) }, new Dictionary<string, string> { [Path.GetFileName(path)] = path }, new DeploymentSettings { Instances = 1 }), ct).ConfigureAwait(false);
            var context = new PassContext(fp32Path, manifest, System.Text.Json.JsonDocument.Parse(optionsJson).RootElement, outputDirectory, (_, _) => { })
            {
                CalibrationInputs = feeds,
                LoadTensorModel = Load,
            };
            return pass.RunAsync(context, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            services.DisposeAsync().AsTask().GetAwaiter().GetResult();
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
