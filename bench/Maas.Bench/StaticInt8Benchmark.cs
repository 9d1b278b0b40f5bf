using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization;
using Maas.Optimization.Quantization.Static;
using Maas.Samples;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Bench;

/// <summary>
/// The <c>static-int8</c> mode (issue 9, done-when 2): quantizes ResNet18 with the <c>static-int8</c> pass, calibrated on
/// synthetic Caffe-style images, then compares it with the fp32 file side by side: artifact size, batch-1 throughput
/// (interleaved rounds, same engine settings), feature cosine on other synthetic images, and which ops ONNX Runtime
/// actually runs after its graph optimisations.
/// </summary>
/// <remarks>Options: <c>--method minmax|percentile|entropy</c>, <c>--calibration N</c> (32), <c>--eval N</c> (32),
/// <c>--rounds N</c> (4), <c>--seconds S</c> per model per round (3), <c>--threads T</c> (cores), <c>--activation
/// uint8|int8</c>, <c>--per-channel true|false</c>, <c>--out DIR</c> (keeps the quantized model).</remarks>
internal static class StaticInt8Benchmark
{
    private const int Side = 224;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Parse(args);
        var services = new ServiceCollection().AddLogging().AddMaasOnnxEngine().AddMaasOptimization().BuildServiceProvider();
        await using var _ = services.ConfigureAwait(false);
        var engine = services.GetServices<IModelEngine>().Single(e => e.Name == ModelFormats.Onnx);
        var pass = services.GetServices<IModelPass>().Single(p => p.Method == "static-int8");
        var fp32Path = SampleModels.ResNet18Path;
        var output = settings.Out ?? Path.Combine(Path.GetTempPath(), "maas-static-int8-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(output);

        var calibration = Enumerable.Range(0, settings.Calibration).Select(i => Feed(1000 + i)).ToList();
        var evaluation = Enumerable.Range(0, settings.Eval).Select(i => Feed(5000 + i)).ToList();
        var manifest = new ModelManifest { ModelFile = "model.onnx" };
        async Task<ITensorModel> Load(string path, int threads, CancellationToken ct) =>
            (ITensorModel)await engine.LoadAsync(new ModelLoadContext(Path.GetFileName(path), manifest, new Dictionary<string, string> { ["model.onnx"] = path }, new DeploymentSettings { IntraOpThreads = threads }), ct).ConfigureAwait(false);

        var options = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["method"] = settings.Method,
            ["activation_type"] = settings.Activation,
            ["per_channel"] = settings.PerChannel,
        });
        var watch = Stopwatch.StartNew();
        var result = await pass.RunAsync(
            new PassContext(fp32Path, manifest, options, output, (_, _) => { })
            {
                CalibrationInputs = calibration,
                LoadTensorModel = (path, ct) => Load(path, settings.Threads, ct),
            },
            CancellationToken.None).ConfigureAwait(false);
        var quantizeSeconds = watch.Elapsed.TotalSeconds;

        var fp32Bytes = new FileInfo(fp32Path).Length;
        var int8Bytes = new FileInfo(result.ModelPath).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quantized in {quantizeSeconds:F1} s: {result.ModelPath}"));
        foreach (var note in result.Notes)
        {
            Console.WriteLine("  note: " + note);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"artifact: fp32 {fp32Bytes:N0} B, int8 {int8Bytes:N0} B, ratio {int8Bytes / (double)fp32Bytes:F3}"));
        Console.WriteLine("ops after ONNX Runtime optimisation, fp32: " + OptimizedOps(fp32Path, settings.Threads));
        Console.WriteLine("ops after ONNX Runtime optimisation, int8: " + OptimizedOps(result.ModelPath, settings.Threads));

        var fp32 = await Load(fp32Path, settings.Threads, CancellationToken.None).ConfigureAwait(false);
        await using var fp32Owner = fp32.ConfigureAwait(false);
        var int8 = await Load(result.ModelPath, settings.Threads, CancellationToken.None).ConfigureAwait(false);
        await using var int8Owner = int8.ConfigureAwait(false);

        var cosines = new List<double>();
        foreach (var feed in evaluation)
        {
            using var a = await fp32.RunAsync(feed, null).ConfigureAwait(false);
            using var b = await int8.RunAsync(feed, null).ConfigureAwait(false);
            cosines.Add(Cosine(a.Outputs[0].AsSpan<float>(), b.Outputs[0].AsSpan<float>()));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"feature cosine over {cosines.Count} evaluation images: mean {cosines.Average():F4}, min {cosines.Min():F4}"));

        // Warm both, then interleave rounds (alternating which goes first) so drift in the machine hits both alike.
        await Throughput(fp32, evaluation, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        await Throughput(int8, evaluation, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        double fp32Calls = 0, int8Calls = 0, fp32Time = 0, int8Time = 0;
        for (var round = 0; round < settings.Rounds; round++)
        {
            var order = round % 2 == 0 ? new[] { (fp32, true), (int8, false) } : [(int8, false), (fp32, true)];
            foreach (var (model, isFp32) in order)
            {
                var (calls, seconds) = await Throughput(model, evaluation, TimeSpan.FromSeconds(settings.Seconds)).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round + 1} {(isFp32 ? "fp32" : "int8")}: {calls / seconds:F1} images/s"));
                if (isFp32)
                {
                    fp32Calls += calls;
                    fp32Time += seconds;
                }
                else
                {
                    int8Calls += calls;
                    int8Time += seconds;
                }
            }
        }

        var fp32Rate = fp32Calls / fp32Time;
        var int8Rate = int8Calls / int8Time;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput batch 1, {settings.Threads} intra-op threads: fp32 {fp32Rate:F1}/s, int8 {int8Rate:F1}/s, ratio {int8Rate / fp32Rate:F2}"));
        if (settings.Out is null)
        {
            Directory.Delete(output, recursive: true);
        }

        return 0;
    }

    private static List<Tensor> Feed(int seed) =>
        [Tensor.Create("Input247", [1, 3, Side, Side], SyntheticImages.Create(seed, Side, Side, SyntheticImages.CaffeBgrMeans))];

    private static async Task<(double Calls, double Seconds)> Throughput(ITensorModel model, List<List<Tensor>> feeds, TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        var calls = 0;
        while (watch.Elapsed < duration)
        {
            using var result = await model.RunAsync(feeds[calls % feeds.Count], null).ConfigureAwait(false);
            calls++;
        }

        return (calls, watch.Elapsed.TotalSeconds);
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
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

    /// <summary>Op counts of the graph ONNX Runtime runs (its optimised model written to a temp file).</summary>
    private static string OptimizedOps(string path, int threads)
    {
        var optimized = Path.Combine(Path.GetTempPath(), "maas-optimized-" + Guid.NewGuid().ToString("N") + ".onnx");
        try
        {
            using (var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized })
            using (new InferenceSession(path, options))
            {
            }

            using var stream = File.OpenRead(optimized);
            var model = ModelProto.Parser.ParseFrom(stream);
            return string.Join(", ", model.Graph.Node.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        }
        finally
        {
            File.Delete(optimized);
        }
    }

    private static Settings Parse(string[] args)
    {
        var s = new Settings();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = args[i + 1];
            s = args[i] switch
            {
                "--method" => s with { Method = v },
                "--calibration" => s with { Calibration = int.Parse(v, CultureInfo.InvariantCulture) },
                "--eval" => s with { Eval = int.Parse(v, CultureInfo.InvariantCulture) },
                "--rounds" => s with { Rounds = int.Parse(v, CultureInfo.InvariantCulture) },
                "--seconds" => s with { Seconds = double.Parse(v, CultureInfo.InvariantCulture) },
                "--threads" => s with { Threads = int.Parse(v, CultureInfo.InvariantCulture) },
                "--activation" => s with { Activation = v },
                "--per-channel" => s with { PerChannel = bool.Parse(v) },
                "--out" => s with { Out = v },
                _ => throw new ArgumentException($"Unknown option {args[i]}; see StaticInt8Benchmark."),
            };
        }

        return s;
    }

    private sealed record Settings
    {
        public string Method { get; init; } = "minmax";

        public int Calibration { get; init; } = 32;

        public int Eval { get; init; } = 32;

        public int Rounds { get; init; } = 4;

        public double Seconds { get; init; } = 3;

        public int Threads { get; init; } = Environment.ProcessorCount;

        public string Activation { get; init; } = "uint8";

        public bool PerChannel { get; init; } = true;

        public string? Out { get; init; }
    }
}
