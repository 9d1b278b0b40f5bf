using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Quantization.Dynamic;
using Maas.UnitTests.Formats;
using static Maas.UnitTests.Optimization.PassTestModels;

namespace Maas.UnitTests.Optimization;

/// <summary>dynamic-int8's weight-only path: a feed-forward block (up-projection, activation, down-projection K ≥ 2·N)
/// keeps the down-projection's activation in float while its weight is stored as int8; outputs are compared with the
/// float graph under ONNX Runtime.</summary>
public sealed class DynamicInt8WeightOnlyTests : IDisposable
{
    private const double Tolerance = 0.02;
    private const int Hidden = 32;
    private const int Inner = 128;
    private readonly TempModelFolder _folder = new();

    [Theory]
    [InlineData("Relu")]
    [InlineData("ErfGelu")]
    [InlineData("TanhGelu")]
    public void Apply_DownProjectionAfterActivation_IsWeightOnlyAndAgrees(string activation)
    {
        var model = FeedForward(activation);
        var x = Random(3 * Hidden, 21);
        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [3, Hidden]));

        var notes = DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { WeightOnlyAuto = true });
        var actual = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [3, Hidden]));

        Assert.InRange(RelativeError(expected, actual), 0, Tolerance);
        Assert.Single(model.Graph.Node, n => n.OpType == "MatMulInteger");
        var down = model.Graph.Node.Single(n => n.Name == "down");
        Assert.Equal("MatMul", down.OpType);
        Assert.Equal("Reshape", model.Graph.Node.Single(n => n.Output.Contains(down.Input[1])).OpType);
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name == "w_down");
        var stored = model.Graph.Initializer.Single(t => t.Name.StartsWith("w_down_int8", StringComparison.Ordinal) && t.DataType == (int)TensorProto.Types.DataType.Int8);
        Assert.Equal(Inner * Hidden, stored.Dims.Aggregate(1L, (a, b) => a * b));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Aggregate(1L, (a, b) => a * b) >= Inner * Hidden);
        Assert.Contains(notes, n => n.Contains("weight-only: down", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_WeightOnlyNone_QuantizesTheDownProjectionsActivationToo()
    {
        var model = FeedForward("Relu");

        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { WeightOnlyAuto = false });

        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "MatMul");
    }

    [Fact]
    public void Apply_AutoRule_LeavesNarrowAndNonActivationMatMulsFullyQuantized()
    {
        // "wide" reads an activation but K < 2·N; "input" has K ≥ 2·N but reads a graph input; "sum" reads an Add.
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, Inner])
            .AddInitializer("w_wide", TensorDataType.Fp32, [Inner, Inner], Random(Inner * Inner, 22, 0.1f))
            .AddInitializer("w_input", TensorDataType.Fp32, [Inner, Hidden], Random(Inner * Hidden, 23, 0.1f))
            .AddInitializer("w_sum", TensorDataType.Fp32, [Inner, Hidden], Random(Inner * Hidden, 24, 0.1f))
            .AddOutput("y1", TensorDataType.Fp32, [-1, Inner])
            .AddOutput("y2", TensorDataType.Fp32, [-1, Hidden])
            .AddOutput("y3", TensorDataType.Fp32, [-1, Hidden])
            .AddNode("Relu", ["x"], ["r"])
            .AddNode("MatMul", ["r", "w_wide"], ["y1"])
            .AddNode("MatMul", ["x", "w_input"], ["y2"])
            .AddNode("Add", ["x", "x"], ["s"])
            .AddNode("MatMul", ["s", "w_sum"], ["y3"]));

        Named(model, ("y1", "wide"), ("y2", "input"), ("y3", "sum"));
        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { WeightOnlyAuto = true });

        Assert.Equal(3, model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "MatMul");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Apply_NamedGemmWithTransB_IsWeightOnlyAndAgrees(bool perChannel)
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, Inner])
            .AddInitializer("w", TensorDataType.Fp32, [Hidden, Inner], Random(Inner * Hidden, 25, 0.2f))
            .AddInitializer("c", TensorDataType.Fp32, [Hidden], Random(Hidden, 26))
            .AddOutput("y", TensorDataType.Fp32, [-1, Hidden])
            .AddNode("Gemm", ["x", "w", "c"], ["y"], OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", 0.5f)));
        Named(model, ("y", "proj"));
        var x = Random(5 * Inner, 27);
        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [5, Inner]));

        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { PerChannel = perChannel, WeightOnlyAuto = false, WeightOnly = ["proj"] });
        var actual = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [5, Inner]));

        // Weight-only error is the int8 weight's alone: well under the dynamic path's tolerance.
        Assert.InRange(RelativeError(expected, actual), 0, Tolerance / 2);
        Assert.Equal("Gemm", model.Graph.Node.Single(n => n.Name == "proj").OpType);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "MatMulInteger");
    }

    [Fact]
    public void Apply_WeightOnlyNamesAnUnknownNode_IsRefusedAndLeavesTheModelAlone()
    {
        var model = FeedForward("Relu");
        var before = model.Clone();

        var error = Assert.Throws<MaasException>(() => DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { WeightOnly = ["nope"] }));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, model);
    }

    [Theory]
    [InlineData("{}", false, "")]
    [InlineData("""{"weight_only": "auto"}""", true, "")]
    [InlineData("""{"weight_only": "none"}""", false, "")]
    [InlineData("""{"weight_only": ["a", "b"]}""", false, "a,b")]
    [InlineData("""{"weight_only": "a, b"}""", false, "a,b")]
    public void Parse_WeightOnly_ReadsAutoNoneOrNames(string json, bool auto, string names)
    {
        using var document = JsonDocument.Parse(json);

        var options = DynamicInt8Options.Parse(document.RootElement);

        Assert.Equal(auto, options.WeightOnlyAuto);
        Assert.Equal(names, string.Join(",", options.WeightOnly));
    }

    [Theory]
    [InlineData("""{"weight_only": ["auto", "a"]}""")]
    [InlineData("""{"weight_only": true}""")]
    public void Parse_BadWeightOnly_IsRefused(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(MaasErrorKind.InvalidArgument, Assert.Throws<MaasException>(() => DynamicInt8Options.Parse(document.RootElement)).Kind);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Names the nodes that produce the given outputs (the builder numbers its nodes).</summary>
    private static ModelProto Named(ModelProto model, params (string Output, string Name)[] names)
    {
        foreach (var (output, name) in names)
        {
            model.Graph.Node.Single(n => n.Output.Contains(output)).Name = name;
        }

        return model;
    }

    /// <summary>x [*, 32] → MatMul "up" (32 → 128) → activation → MatMul "down" (128 → 32) → y.</summary>
    private static ModelProto FeedForward(string activation)
    {
        var builder = new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, Hidden])
            .AddInitializer("w_up", TensorDataType.Fp32, [Hidden, Inner], Random(Hidden * Inner, 31, 0.3f))
            .AddInitializer("w_down", TensorDataType.Fp32, [Inner, Hidden], Random(Inner * Hidden, 32, 0.2f))
            .AddInitializer("half", TensorDataType.Fp32, [1], new[] { 0.5f })
            .AddInitializer("one", TensorDataType.Fp32, [1], new[] { 1f })
            .AddInitializer("root2", TensorDataType.Fp32, [1], new[] { 1.4142135f })
            .AddOutput("y", TensorDataType.Fp32, [-1, Hidden])
            .AddNode("MatMul", ["x", "w_up"], ["h"]);
        switch (activation)
        {
            case "Relu":
                builder.AddNode("Relu", ["h"], ["a"]);
                break;
            case "ErfGelu":
                // As torch exports nn.GELU: x · 0.5 · (1 + erf(x / √2)).
                builder.AddNode("Div", ["h", "root2"], ["d"]).AddNode("Erf", ["d"], ["e"]).AddNode("Add", ["e", "one"], ["p"])
                    .AddNode("Mul", ["h", "p"], ["m"]).AddNode("Mul", ["m", "half"], ["a"]);
                break;
            default:
                // The tanh approximation, shortened: 0.5 · x · (1 + tanh(x)).
                builder.AddNode("Tanh", ["h"], ["t"]).AddNode("Add", ["t", "one"], ["p"]).AddNode("Mul", ["h", "half"], ["m"])
                    .AddNode("Mul", ["m", "p"], ["a"]);
                break;
        }

        return Named(Parse(builder.AddNode("MatMul", ["a", "w_down"], ["y"])), ("h", "up"), ("y", "down"));
    }
}
