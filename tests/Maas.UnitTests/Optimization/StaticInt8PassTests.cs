using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Static;
using Xunit.Abstractions;

namespace Maas.UnitTests.Optimization;

/// <summary>The static-int8 pass on small graphs, run in ONNX Runtime: numerical agreement with the float graph and
/// the integer kernels ONNX Runtime builds from the QDQ graph.</summary>
/// <remarks>Tolerances are the largest absolute difference over all outputs relative to the largest |output|: 5% for
/// the conv block (three quantized layers and a residual Add), 4% for the two-layer MatMul graph; 8-bit rounding of
/// each activation costs about 0.2–0.4% per layer, the calibration/evaluation mismatch (other random inputs) the rest.</remarks>
public sealed class StaticInt8PassTests(ITestOutputHelper output)
{
    private static readonly long[] ConvInput = [1, 3, 16, 16];

    [Theory]
    [InlineData("minmax", "uint8", true)]
    [InlineData("percentile", "uint8", true)]
    [InlineData("entropy", "uint8", true)]
    [InlineData("minmax", "int8", true)]
    [InlineData("minmax", "uint8", false)]
    public async Task RunAsync_ConvBlock_AgreesWithFloatWithinFivePercent(string method, string activation, bool perChannel)
    {
        using var graph = ConvBlock();
        var path = graph.Save();
        var result = await graph.QuantizeAsync(path, new { method, activation_type = activation, per_channel = perChannel }, graph.Feeds(16, ConvInput));

        var eval = graph.Feeds(8, ConvInput, seed: 99);
        var expected = await StaticTestGraph.RunAsync(path, eval);
        var actual = await StaticTestGraph.RunAsync(result.ModelPath, eval);
        var error = StaticTestGraph.RelativeError(expected, actual);
        output.WriteLine($"relative error {error:F4}");
        Assert.InRange(error, 0, 0.05);

        var quantized = StaticTestGraph.Read(result.ModelPath);
        Assert.Equal(2, quantized.Graph.Initializer.Count(i => i.DataType == (int)TensorProto.Types.DataType.Int8 && i.Dims.Count == 4));
        Assert.Equal(3, quantized.Graph.Initializer.Count(i => i.DataType == (int)TensorProto.Types.DataType.Int32 && i.Name.EndsWith("_quantized", StringComparison.Ordinal)));
        Assert.Equal(method, result.Parameters["method"]);
    }

    [Fact]
    public async Task RunAsync_ConvBlockUint8_RuntimeFusesIntoIntegerKernels()
    {
        using var graph = ConvBlock();
        var path = graph.Save();
        var result = await graph.QuantizeAsync(path, null, graph.Feeds(8, ConvInput));

        var ops = graph.OptimizedOps(result.ModelPath).Split(',');
        Assert.Equal(2, ops.Count(o => o == "QLinearConv"));
        Assert.DoesNotContain("Conv", ops);
        Assert.Contains("QLinearAdd", ops);
        Assert.Contains(result.Notes, n => n.Contains("Relu nodes absorbed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_MatMulGraph_AgreesWithFloatWithinFourPercentAndFuses()
    {
        using var graph = new StaticTestGraph()
            .Input("x", -1, 32).Output("y", -1, 8)
            .Weight("w1", [32, 16]).Weight("w2", [16, 8])
            .Node("MatMul", ["x", "w1"], ["m1"])
            .Node("Relu", ["m1"], ["r1"])
            .Node("MatMul", ["r1", "w2"], ["y"]);
        var path = graph.Save();
        var result = await graph.QuantizeAsync(path, null, graph.Feeds(16, [4, 32]));

        var eval = graph.Feeds(8, [4, 32], seed: 5);
        var error = StaticTestGraph.RelativeError(await StaticTestGraph.RunAsync(path, eval), await StaticTestGraph.RunAsync(result.ModelPath, eval));
        output.WriteLine($"relative error {error:F4}");
        Assert.InRange(error, 0, 0.04);

        // Per-channel weights of a [K, N] MatMul weight: one scale per output column (axis 1).
        var quantized = StaticTestGraph.Read(result.ModelPath);
        var dq = quantized.Graph.Node.First(n => n.OpType == "DequantizeLinear" && n.Input[0].StartsWith("w1", StringComparison.Ordinal));
        Assert.Equal(1, OnnxAttributes.GetInt(dq, "axis", -1));
        Assert.Equal(16, quantized.Graph.Initializer.Single(i => i.Name == dq.Input[1]).Dims[0]);
        Assert.Contains("QLinearMatMul", graph.OptimizedOps(result.ModelPath).Split(','));
    }

    [Fact]
    public async Task RunAsync_MatMulOfTwoActivations_QuantizesBothAndAgrees()
    {
        using var graph = new StaticTestGraph()
            .Input("x", 1, 8, 16).Output("y", 1, 8, 8)
            .Weight("w", [16, 16])
            .Node("MatMul", ["x", "w"], ["h"])
            .Node("Transpose", ["x"], ["xt"], StaticTestGraph.Ints("perm", 0, 2, 1))
            .Node("MatMul", ["h", "xt"], ["y"]);
        var path = graph.Save();
        var result = await graph.QuantizeAsync(path, null, graph.Feeds(32, [1, 8, 16]));

        // y is quadratic in x (heavy-tailed): evaluation inputs slightly narrower than the calibration ones stay inside
        // the calibrated output range, so what is measured is quantization error, not clipping of unseen extremes.
        var eval = graph.Feeds(8, [1, 8, 16], std: 0.8, seed: 17);
        var error = StaticTestGraph.RelativeError(await StaticTestGraph.RunAsync(path, eval), await StaticTestGraph.RunAsync(result.ModelPath, eval));
        output.WriteLine($"relative error {error:F4}");
        Assert.InRange(error, 0, 0.04);
        var second = StaticTestGraph.Read(result.ModelPath).Graph.Node.Last(n => n.OpType == "MatMul");
        Assert.All(second.Input, i => Assert.Contains("DequantizeLinear", i, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_Opset8ConvBatchNorm_FoldsUpgradesAndAgrees()
    {
        using var graph = Opset8ConvBn();
        var path = graph.Save();
        var result = await graph.QuantizeAsync(path, null, graph.Feeds(16, [1, 3, 8, 8]));

        var quantized = StaticTestGraph.Read(result.ModelPath);
        Assert.Equal(13, QdqNodes.DefaultOpset(quantized));
        Assert.True(quantized.IrVersion >= 7);
        Assert.DoesNotContain(quantized.Graph.Node, n => n.OpType == "BatchNormalization");
        var eval = graph.Feeds(4, [1, 3, 8, 8], seed: 3);
        Assert.InRange(StaticTestGraph.RelativeError(await StaticTestGraph.RunAsync(path, eval), await StaticTestGraph.RunAsync(result.ModelPath, eval)), 0, 0.05);
    }

    [Fact]
    public async Task RunAsync_CalibrationOfWrongShape_ThrowsInvalidArgumentAndWritesNothing()
    {
        using var graph = ConvBlock();
        var path = graph.Save();

        var error = await Assert.ThrowsAsync<MaasException>(() => graph.QuantizeAsync(path, null, graph.Feeds(2, [1, 3, 16, 15])));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("[1, 3, 16, 15]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 3, 16, 16]", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(graph.Folder, "out-*").SelectMany(Directory.GetFiles));
    }

    [Fact]
    public async Task RunAsync_CalibrationOfWrongType_ThrowsInvalidArgument()
    {
        using var graph = ConvBlock();
        var path = graph.Save();
        IReadOnlyList<Tensor> feed = [Tensor.Create("x", [1, 3, 16, 16], new long[768])];

        var error = await Assert.ThrowsAsync<MaasException>(() => graph.QuantizeAsync(path, null, [feed]));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("INT64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoCalibrationInputs_ThrowsInvalidArgument()
    {
        using var graph = ConvBlock();
        var path = graph.Save();

        var error = await Assert.ThrowsAsync<MaasException>(() => graph.QuantizeAsync(path, null, []));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("calibration inputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NothingToQuantize_ThrowsInvalidArgument()
    {
        using var graph = new StaticTestGraph().Input("x", 1, 4).Output("y", 1, 4).Node("Relu", ["x"], ["y"]);
        var path = graph.Save();

        var error = await Assert.ThrowsAsync<MaasException>(() => graph.QuantizeAsync(path, null, graph.Feeds(1, [1, 4])));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ExcludedConv_StaysFloat()
    {
        using var graph = ConvBlock();
        var path = graph.Save();
        var result = await graph.QuantizeAsync(path, new { exclude = new[] { "Conv_0" } }, graph.Feeds(4, ConvInput));

        var quantized = StaticTestGraph.Read(result.ModelPath);
        var conv = quantized.Graph.Node.Single(n => n.Name == "Conv_0");
        Assert.Equal("w1", conv.Input[1]);
        Assert.Contains(result.Notes, n => n.Contains("Conv_0", StringComparison.Ordinal) && n.Contains("excluded", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"method":"kl"}""", "kl")]
    [InlineData("""{"percentile":20}""", "percentile")]
    [InlineData("""{"op_types":["Softmax"]}""", "Softmax")]
    [InlineData("""{"activation_type":"int4"}""", "int4")]
    [InlineData("""{"calibration":"x"}""", "calibration")]
    public void ValidateOptions_BadOption_ThrowsInvalidArgumentNamingIt(string json, string named)
    {
        var error = Assert.Throws<MaasException>(() => new StaticInt8Pass().ValidateOptions(JsonDocument.Parse(json).RootElement));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Conv → Relu → MaxPool → Conv → Add(skip) → Relu → GlobalAveragePool → Flatten → Gemm.</summary>
    internal static StaticTestGraph ConvBlock()
    {
        return new StaticTestGraph()
            .Input("x", ConvInput).Output("y", 1, 4)
            .Weight("w1", [8, 3, 3, 3]).Weight("b1", [8], 0.1).Weight("w2", [8, 8, 3, 3], 0.15).Weight("b2", [8], 0.1)
            .Weight("w3", [8, 4], 0.5).Weight("b3", [4], 0.1)
            .Node("Conv", ["x", "w1", "b1"], ["c1"], StaticTestGraph.Ints("pads", 1, 1, 1, 1))
            .Node("Relu", ["c1"], ["r1"])
            .Node("MaxPool", ["r1"], ["p1"], StaticTestGraph.Ints("kernel_shape", 2, 2), StaticTestGraph.Ints("strides", 2, 2))
            .Node("Conv", ["p1", "w2", "b2"], ["c2"], StaticTestGraph.Ints("pads", 1, 1, 1, 1))
            .Node("Add", ["c2", "p1"], ["a1"])
            .Node("Relu", ["a1"], ["r2"])
            .Node("GlobalAveragePool", ["r2"], ["g"])
            .Node("Flatten", ["g"], ["f"])
            .Node("Gemm", ["f", "w3", "b3"], ["y"]);
    }

    /// <summary>Opset 8, IR 3 (initializers listed as inputs): Conv → BatchNormalization(spatial=1) → Relu → MaxPool →
    /// AveragePool, as ResNet18 from the CNTK exporter is built.</summary>
    internal static StaticTestGraph Opset8ConvBn()
    {
        var graph = new StaticTestGraph(opset: 8, irVersion: 3)
            .Input("x", 1, 3, 8, 8).Output("y", 1, 4, 2, 2)
            .Weight("w", [4, 3, 3, 3]).Weight("gamma", [4], 0.2, 1).Weight("beta", [4], 0.3).Weight("mean", [4], 0.2).Weight("var", [4], 0.1, 1)
            .Node("Conv", ["x", "w"], ["c"], StaticTestGraph.Ints("pads", 1, 1, 1, 1))
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["bn"], StaticTestGraph.Int("spatial", 1), StaticTestGraph.Float("epsilon", 1e-5f))
            .Node("Relu", ["bn"], ["r"])
            .Node("MaxPool", ["r"], ["p"], StaticTestGraph.Ints("kernel_shape", 2, 2), StaticTestGraph.Ints("strides", 2, 2))
            .Node("AveragePool", ["p"], ["y"], StaticTestGraph.Ints("kernel_shape", 2, 2), StaticTestGraph.Ints("strides", 2, 2));
        foreach (var init in graph.Model.Graph.Initializer)
        {
            graph.Input(init.Name, [.. init.Dims]);
        }

        return graph;
    }
}
