using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Dynamic;
using Maas.Optimization.Quantization.Smoothing;
using Maas.UnitTests.Formats;
using static Maas.UnitTests.Optimization.PassTestModels;

namespace Maas.UnitTests.Optimization;

/// <summary>dynamic-int8's calibrated rewrites: outlier-channel decomposition and SmoothQuant-style smoothing. The float
/// graph after each rewrite (before quantization) must compute what the original did, checked under ONNX Runtime;
/// quantized with them, an input with an outlier channel must lose less than without.</summary>
public sealed class OutlierQuantizationTests : IDisposable
{
    /// <summary>Float rewrites change only the order of additions: agreement to float rounding.</summary>
    private const double FloatTolerance = 1e-5;
    private const int Hidden = 32;
    private const int Inner = 128;
    private const int Rows = 6;
    private readonly TempModelFolder _folder = new();

    [Fact]
    public void Decompose_FeedForwardBlock_FloatGraphComputesTheSame()
    {
        var model = FeedForward();
        var x = Input();
        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [Rows, Hidden]));
        var ranges = Ranges(model, x, "x", "a");

        var graph = new OnnxGraph(model);
        var nodes = graph.Graph.Node.Where(n => n.OpType == "MatMul").ToList();
        var done = OutlierDecomposition.Apply(graph, nodes, ranges, OutlierDecomposition.DefaultThreshold, OutlierDecomposition.DefaultMaxChannels);
        graph.Commit();
        var actual = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [Rows, Hidden]));

        Assert.InRange(RelativeError(expected, actual), 0, FloatTolerance);
        Assert.Equal(2, done.Count);
        Assert.StartsWith("x: channel(s) 5", done[0], StringComparison.Ordinal);

        // The down-projection's outliers are taken out at the up-projection: no mask over the wide activation, the
        // up-projection's weight and bias have those columns zeroed, and the GELU chain runs again |O| wide.
        Assert.Contains("split at the producing MatMul", done[1], StringComparison.Ordinal);
        Assert.Single(model.Graph.Node, n => n.Name.EndsWith("_OutlierMask", StringComparison.Ordinal));
        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "Erf"));
        var up = model.Graph.Node.Single(n => n.Name == "up");
        var upWeight = OnnxTensorData.ToFloats(model.Graph.Initializer.Single(t => t.Name == up.Input[1]));
        var outlierColumn = int.Parse(done[1].Split("channel(s) ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(Enumerable.Range(0, Hidden), r => Assert.Equal(0f, upWeight[(r * Inner) + outlierColumn]));
    }

    [Fact]
    public void Decompose_SharedInputWithBiasesAndGemm_FloatGraphComputesTheSame()
    {
        // Q, K (bias first: Add(b, y)) and a Gemm with transB, alpha and C all read x, which has an outlier channel.
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, Hidden])
            .AddInitializer("wq", TensorDataType.Fp32, [Hidden, Hidden], Random(Hidden * Hidden, 41, 0.3f))
            .AddInitializer("bq", TensorDataType.Fp32, [Hidden], Random(Hidden, 42))
            .AddInitializer("wk", TensorDataType.Fp32, [Hidden, Hidden], Random(Hidden * Hidden, 43, 0.3f))
            .AddInitializer("bk", TensorDataType.Fp32, [Hidden], Random(Hidden, 44))
            .AddInitializer("wg", TensorDataType.Fp32, [Hidden, Hidden], Random(Hidden * Hidden, 45, 0.3f))
            .AddInitializer("cg", TensorDataType.Fp32, [Hidden], Random(Hidden, 46))
            .AddOutput("q", TensorDataType.Fp32, [-1, Hidden])
            .AddOutput("k", TensorDataType.Fp32, [-1, Hidden])
            .AddOutput("g", TensorDataType.Fp32, [-1, Hidden])
            .AddNode("MatMul", ["x", "wq"], ["q0"])
            .AddNode("Add", ["q0", "bq"], ["q"])
            .AddNode("MatMul", ["x", "wk"], ["k0"])
            .AddNode("Add", ["bk", "k0"], ["k"])
            .AddNode("Gemm", ["x", "wg", "cg"], ["g"], OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", 0.5f), OnnxAttribute.Float("beta", 2f)));
        var x = Input();
        var expected = new[] { "q", "k", "g" }.Select(o => Run(_folder, model, o, ("x", TensorDataType.Fp32, x, [Rows, Hidden]))).ToList();
        var ranges = Ranges(model, x, "x");

        var graph = new OnnxGraph(model);
        var done = OutlierDecomposition.Apply(graph, [.. graph.Graph.Node.Where(n => n.OpType is "MatMul" or "Gemm")], ranges, OutlierDecomposition.DefaultThreshold, 4);
        graph.Commit();

        Assert.Single(done);
        Assert.Single(model.Graph.Node, n => n.OpType == "Mul" && n.Name.EndsWith("_OutlierMask", StringComparison.Ordinal));
        foreach (var (output, i) in new[] { "q", "k", "g" }.Select((o, i) => (o, i)))
        {
            Assert.InRange(RelativeError(expected[i], Run(_folder, model, output, ("x", TensorDataType.Fp32, x, [Rows, Hidden]))), 0, FloatTolerance);
        }
    }

    [Fact]
    public void Smooth_SharedInput_FloatGraphComputesTheSame()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, Hidden])
            .AddInitializer("w1", TensorDataType.Fp32, [Hidden, Hidden], Random(Hidden * Hidden, 51, 0.3f))
            .AddInitializer("w2", TensorDataType.Fp32, [Inner, Hidden], Random(Inner * Hidden, 52, 0.3f))
            .AddOutput("y1", TensorDataType.Fp32, [-1, Hidden])
            .AddOutput("y2", TensorDataType.Fp32, [-1, Inner])
            .AddNode("MatMul", ["x", "w1"], ["y1"])
            .AddNode("Gemm", ["x", "w2"], ["y2"], OnnxAttribute.Int("transB", 1)));
        var x = Input();
        var expected1 = Run(_folder, model, "y1", ("x", TensorDataType.Fp32, x, [Rows, Hidden]));
        var expected2 = Run(_folder, model, "y2", ("x", TensorDataType.Fp32, x, [Rows, Hidden]));

        var graph = new OnnxGraph(model);
        var smoothed = ActivationSmoothing.Apply(graph, [.. graph.Graph.Node], Ranges(model, x, "x"), 0.6);
        graph.Commit();

        Assert.Equal(["x"], smoothed);
        Assert.Single(model.Graph.Node, n => n.OpType == "Mul");
        Assert.InRange(RelativeError(expected1, Run(_folder, model, "y1", ("x", TensorDataType.Fp32, x, [Rows, Hidden]))), 0, FloatTolerance);
        Assert.InRange(RelativeError(expected2, Run(_folder, model, "y2", ("x", TensorDataType.Fp32, x, [Rows, Hidden]))), 0, FloatTolerance);
    }

    [Fact]
    public void Scales_FollowTheSmoothQuantFormula()
    {
        var scales = ActivationSmoothing.Scales([16f, 0f, 4f, 1e-20f], [1f, 2f, 0f, 1e20f], 0.5);

        Assert.Equal(4f, scales[0], 5);
        Assert.Equal(1f, scales[1]);
        Assert.Equal(1f, scales[2]);
        Assert.Equal(1f / ActivationSmoothing.MaxScale, scales[3]);
    }

    [Fact]
    public void Outliers_AboveThresholdTimesTheMedian_LargestFirstAndCapped()
    {
        float[] xMax = [1f, 1.2f, 30f, 0.9f, 7f, 1.1f, 50f, 1f, 6.5f];

        Assert.Equal([6, 2, 4, 8], OutlierDecomposition.Outliers(xMax, 5, 8));
        Assert.Equal([6, 2], OutlierDecomposition.Outliers(xMax, 5, 2));
        Assert.Equal([6, 2], OutlierDecomposition.Outliers(xMax, 6, 8));
        Assert.Empty(OutlierDecomposition.Outliers(xMax, 100, 8));
        Assert.Empty(OutlierDecomposition.Outliers(new float[5], 6, 8));
    }

    [Theory]
    [InlineData("""{"decompose": "all", "smooth": "none"}""")]
    [InlineData("""{}""")]
    public void Apply_OutlierChannel_QuantizedErrorIsSmallerThanWithout(string json)
    {
        var model = FeedForward();
        var x = Input();
        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [Rows, Hidden]));
        var ranges = Ranges(model, x, "x", "a");
        using var document = JsonDocument.Parse(json);
        var options = DynamicInt8Options.Parse(document.RootElement);
        var plain = model.Clone();

        var notes = DynamicInt8Quantizer.Apply(model, options, ranges);
        DynamicInt8Quantizer.Apply(plain, options with { Decompose = DynamicInt8Options.None, Smooth = DynamicInt8Options.None });

        // Measured on the ordinary rows (1..): the outlier row's huge outputs would hide their error.
        var error = RelativeError(expected[Hidden..], Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [Rows, Hidden]))[Hidden..]);
        var plainError = RelativeError(expected[Hidden..], Run(_folder, plain, "y", ("x", TensorDataType.Fp32, x, [Rows, Hidden]))[Hidden..]);
        Assert.True(error < plainError / 2, $"error {error} with {json}, {plainError} without");
        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.Contains(notes, n => n.Contains("Outlier channels", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_DefaultWithoutRanges_SkipsWithANote()
    {
        var model = FeedForward();

        var notes = DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default);

        Assert.Contains(notes, n => n.StartsWith("No calibration inputs", StringComparison.Ordinal));
        Assert.DoesNotContain(model.Graph.Node, n => n.Name.Contains("Outlier", StringComparison.Ordinal));
        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
    }

    [Fact]
    public void SmoothingActivations_Default_NamesEveryQuantizedInput()
    {
        var model = FeedForward();

        Assert.Equal(["a", "x"], DynamicInt8Quantizer.SmoothingActivations(model, DynamicInt8Options.Default));
        Assert.Empty(DynamicInt8Quantizer.SmoothingActivations(model, DynamicInt8Options.Default with { Decompose = DynamicInt8Options.None, Smooth = DynamicInt8Options.None }));
    }

    [Fact]
    public async Task RunAsync_WithCalibrationInputs_CalibratesAndDecomposes()
    {
        var path = _folder.File("ffn.onnx");
        OnnxModelFile.Save(FeedForward(), path);
        var output = Directory.CreateDirectory(_folder.File("out")).FullName;
        var feeds = Enumerable.Range(0, 4).Select(i => (IReadOnlyList<Tensor>)[Tensor.Create("x", [Rows, Hidden], Input(i))]).ToList();
        var context = new PassContext(path, new ModelManifest { ModelFile = "model.onnx" }, JsonSerializer.SerializeToElement(new { }), output, (_, _) => { })
        {
            CalibrationInputs = feeds,
            LoadTensorModel = (p, ct) => StaticTestGraph.LoadAsync(p, ct),
        };

        var result = await new DynamicInt8Pass().RunAsync(context, CancellationToken.None);

        Assert.Equal("4", result.Parameters["calibration_inputs"]);
        Assert.Equal("auto", result.Parameters["decompose"]);
        Assert.Contains(result.Notes, n => n.Contains("split at the producing MatMul", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.StartsWith("Smoothed 1 activation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_NamedDecompositionWithoutCalibrationInputs_IsRefused()
    {
        var path = _folder.File("ffn.onnx");
        OnnxModelFile.Save(FeedForward(), path);
        var output = Directory.CreateDirectory(_folder.File("out")).FullName;
        var context = new PassContext(path, new ModelManifest { ModelFile = "model.onnx" }, JsonSerializer.SerializeToElement(new { decompose = new[] { "down" } }), output, (_, _) => { });

        var error = await Assert.ThrowsAsync<MaasException>(() => new DynamicInt8Pass().RunAsync(context, CancellationToken.None));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("calibration inputs", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void Apply_DecomposeNamesAnUnknownNode_IsRefused()
    {
        var model = FeedForward();

        var error = Assert.Throws<MaasException>(() => DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { Decompose = DynamicInt8Options.Names, DecomposeNodes = ["nope"] }, new Dictionary<string, float[]>()));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CalibratedOptions_ReadsEveryKey()
    {
        using var document = JsonDocument.Parse("""{"decompose": ["a", "b"], "smooth": "all", "smooth_alpha": 0.75, "outlier_threshold": 4, "max_outliers": 2}""");

        var options = DynamicInt8Options.Parse(document.RootElement);

        Assert.Equal(DynamicInt8Options.Names, options.Decompose);
        Assert.Equal(["a", "b"], options.DecomposeNodes);
        Assert.Equal(DynamicInt8Options.All, options.Smooth);
        Assert.Equal(0.75, options.SmoothAlpha);
        Assert.Equal(4, options.OutlierThreshold);
        Assert.Equal(2, options.MaxOutliers);
        Assert.True(options.CalibrationRequired);
        Assert.Equal("a,b", options.ToParameters()["decompose"]);
        using var empty = JsonDocument.Parse("{}");
        var defaults = DynamicInt8Options.Parse(empty.RootElement);
        Assert.Equal((DynamicInt8Options.Auto, DynamicInt8Options.Auto, DynamicInt8Options.None), (defaults.Decompose, defaults.Smooth, defaults.ToParameters()["weight_only"]));
        Assert.False(defaults.CalibrationRequired);
    }

    [Theory]
    [InlineData("""{"smooth": ["auto", "a"]}""")]
    [InlineData("""{"decompose": []}""")]
    [InlineData("""{"smooth_alpha": 1.5}""")]
    [InlineData("""{"smooth_alpha": "high"}""")]
    [InlineData("""{"outlier_threshold": 0.5}""")]
    [InlineData("""{"max_outliers": 0}""")]
    public void Parse_BadCalibratedOptions_IsRefused(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(MaasErrorKind.InvalidArgument, Assert.Throws<MaasException>(() => DynamicInt8Options.Parse(document.RootElement)).Kind);
    }

    [Fact]
    public void InsertAfter_KeepsQueuedOrderAfterTheAnchorsReplacement()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [2])
            .AddOutput("y", TensorDataType.Fp32, [2])
            .AddNode("Relu", ["x"], ["r"])
            .AddNode("Neg", ["r"], ["y"]));
        var graph = new OnnxGraph(model);
        var relu = graph.Graph.Node[0];

        graph.InsertAfter(relu, graph.NewNode("Abs", ["r"], ["a"], "after1"));
        graph.InsertAfter(relu, graph.NewNode("Abs", ["a"], ["b"], "after2"));
        graph.Replace(relu, graph.NewNode("Relu", ["x"], ["r"], "replacement"));
        graph.Commit();

        Assert.Equal(["replacement", "after1", "after2"], model.Graph.Node.Take(3).Select(n => n.Name));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Rows of noise with channel 5 of row 0 huge (a [CLS]-like token) and channel 9 large everywhere.</summary>
    private static float[] Input(int seed = 7)
    {
        var x = Random(Rows * Hidden, seed);
        x[5] = 40f;
        for (var r = 0; r < Rows; r++)
        {
            x[(r * Hidden) + 9] *= 12f;
        }

        return x;
    }

    /// <summary>Per-channel max |x| of the named values for input <paramref name="x"/>, measured with ONNX Runtime.</summary>
    private Dictionary<string, float[]> Ranges(ModelProto model, float[] x, params string[] values)
    {
        var ranges = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            float[] data;
            if (value == "x")
            {
                data = x;
            }
            else
            {
                var probe = model.Clone();
                probe.Graph.Output.Add(new ValueInfoProto { Name = value, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
                data = Run(_folder, probe, value, ("x", TensorDataType.Fp32, x, [Rows, Hidden]));
            }

            using var tensor = Tensor.Create(value, [Rows, data.Length / Rows], data);
            ChannelCalibrator.Add(ranges, tensor);
        }

        return ranges;
    }

    /// <summary>x [*, 32] → MatMul "up" (32 → 128) + bias → erf GELU → a → MatMul "down" (128 → 32) → y. Column 3 of the
    /// up-projection is large (×40), so channel 3 of a is an outlier.</summary>
    private static ModelProto FeedForward()
    {
        var up = Random(Hidden * Inner, 61, 0.3f);
        for (var r = 0; r < Hidden; r++)
        {
            up[(r * Inner) + 3] *= 40f;
        }

        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, Hidden])
            .AddInitializer("w_up", TensorDataType.Fp32, [Hidden, Inner], up)
            .AddInitializer("b_up", TensorDataType.Fp32, [Inner], Random(Inner, 62, 0.1f))
            .AddInitializer("w_down", TensorDataType.Fp32, [Inner, Hidden], Random(Inner * Hidden, 63, 0.2f))
            .AddInitializer("half", TensorDataType.Fp32, [1], new[] { 0.5f })
            .AddInitializer("one", TensorDataType.Fp32, [1], new[] { 1f })
            .AddInitializer("root2", TensorDataType.Fp32, [1], new[] { 1.4142135f })
            .AddOutput("y", TensorDataType.Fp32, [-1, Hidden])
            .AddNode("MatMul", ["x", "w_up"], ["h0"])
            .AddNode("Add", ["h0", "b_up"], ["h"])
            .AddNode("Div", ["h", "root2"], ["d"])
            .AddNode("Erf", ["d"], ["e"])
            .AddNode("Add", ["e", "one"], ["p"])
            .AddNode("Mul", ["h", "p"], ["m"])
            .AddNode("Mul", ["m", "half"], ["a"])
            .AddNode("MatMul", ["a", "w_down"], ["y"]));
        model.Graph.Node.Single(n => n.Output[0] == "h0").Name = "up";
        model.Graph.Node.Single(n => n.Output[0] == "y").Name = "down";
        return model;
    }
}
