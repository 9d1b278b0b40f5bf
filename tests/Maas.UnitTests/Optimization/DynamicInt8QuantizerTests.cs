using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Quantization.Dynamic;
using Maas.UnitTests.Formats;
using static Maas.UnitTests.Optimization.PassTestModels;

namespace Maas.UnitTests.Optimization;

/// <summary>dynamic-int8 on small graphs: each pattern's output agrees with the float graph under ONNX Runtime within
/// 2% of the output's range (int8 weights with 127 levels plus uint8 activations with 255 levels, K = 64).</summary>
public sealed class DynamicInt8QuantizerTests : IDisposable
{
    private const double Tolerance = 0.02;
    private const int K = 64;
    private const int N = 48;
    private readonly TempModelFolder _folder = new();

    [Fact]
    public void Apply_MatMulWithBiasAdd_AgreesWithFloatAndUsesIntegerMatMul()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, -1, K])
            .AddInitializer("w", TensorDataType.Fp32, [K, N], Random(K * N, 1, 0.2f))
            .AddInitializer("b", TensorDataType.Fp32, [N], Random(N, 2))
            .AddOutput("y", TensorDataType.Fp32, [-1, -1, N])
            .AddNode("MatMul", ["x", "w"], ["xw"])
            .AddNode("Add", ["b", "xw"], ["y"]));
        var x = Random(2 * 5 * K, 3);

        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [2, 5, K]));
        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default);
        var actual = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [2, 5, K]));

        Assert.InRange(RelativeError(expected, actual), 0, Tolerance);
        Assert.Equal(["DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul", "Mul", "Add"], OpTypes(model));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name == "w");

        // The bias moved to the Add's second input, where ONNX Runtime's fusion takes it.
        Assert.Equal("b", model.Graph.Node.Single(n => n.OpType == "Add").Input[1]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Apply_GemmWithTransBAlphaBeta_AgreesWithFloat(bool perChannel)
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, K])
            .AddInitializer("w", TensorDataType.Fp32, [N, K], Random(K * N, 4, 0.2f))
            .AddInitializer("c", TensorDataType.Fp32, [N], Random(N, 5))
            .AddOutput("y", TensorDataType.Fp32, [-1, N])
            .AddNode("Gemm", ["x", "w", "c"], ["y"], OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", 0.5f), OnnxAttribute.Float("beta", 2f)));
        var x = Random(7 * K, 6);

        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [7, K]));
        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { PerChannel = perChannel });
        var actual = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [7, K]));

        Assert.InRange(RelativeError(expected, actual), 0, Tolerance);
        Assert.DoesNotContain("Gemm", OpTypes(model));
        var scale = model.Graph.Initializer.Single(t => t.Name.StartsWith("w_scale", StringComparison.Ordinal));
        Assert.Equal(perChannel ? [N] : Array.Empty<long>(), scale.Dims);
    }

    [Fact]
    public void Apply_ThreeProjectionsOfOneActivation_ShareOneDynamicQuantizeLinear()
    {
        var builder = new OnnxModelBuilder().AddInput("x", TensorDataType.Fp32, [-1, K]);
        foreach (var p in new[] { "q", "k", "v" })
        {
            builder.AddInitializer("w" + p, TensorDataType.Fp32, [K, N], Random(K * N, p[0], 0.2f))
                .AddNode("MatMul", ["x", "w" + p], [p])
                .AddOutput(p, TensorDataType.Fp32, [-1, N]);
        }

        var model = Parse(builder);
        var x = Random(3 * K, 8);
        var expected = Run(_folder, model, "v", ("x", TensorDataType.Fp32, x, [3, K]));

        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default);

        Assert.Single(model.Graph.Node, n => n.OpType == "DynamicQuantizeLinear");
        Assert.Equal(3, model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.InRange(RelativeError(expected, Run(_folder, model, "v", ("x", TensorDataType.Fp32, x, [3, K]))), 0, Tolerance);
    }

    [Fact]
    public void Apply_GatherOnAFloatTable_StoresInt8RowsAndAgrees()
    {
        const int vocabulary = 100;
        var model = Parse(new OnnxModelBuilder()
            .AddInput("ids", TensorDataType.Int64, [-1, -1])
            .AddInitializer("table", TensorDataType.Fp32, [vocabulary, K], Random(vocabulary * K, 9))
            .AddInitializer("w", TensorDataType.Fp32, [K, N], Random(K * N, 10, 0.2f))
            .AddOutput("y", TensorDataType.Fp32, [-1, -1, N])
            .AddNode("Gather", ["table", "ids"], ["e"])
            .AddNode("MatMul", ["e", "w"], ["y"]));
        long[] ids = [0, 5, 99, 42, 42, 7];

        var expected = Run(_folder, model, "y", ("ids", TensorDataType.Int64, ids, [2, 3]));
        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default);
        var actual = Run(_folder, model, "y", ("ids", TensorDataType.Int64, ids, [2, 3]));

        Assert.InRange(RelativeError(expected, actual), 0, Tolerance);
        var table = model.Graph.Initializer.Single(t => t.Name.StartsWith("table_quantized", StringComparison.Ordinal));
        Assert.Equal((int)TensorProto.Types.DataType.Int8, table.DataType);
        Assert.DoesNotContain(model.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2 && t.Dims[1] == K);
    }

    [Fact]
    public void Apply_Int8EmbeddingsOff_LeavesTheTableInFloat()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("ids", TensorDataType.Int64, [-1])
            .AddInitializer("table", TensorDataType.Fp32, [10, K], Random(10 * K, 11))
            .AddInitializer("w", TensorDataType.Fp32, [K, N], Random(K * N, 12))
            .AddOutput("y", TensorDataType.Fp32, [-1, N])
            .AddNode("Gather", ["table", "ids"], ["e"])
            .AddNode("MatMul", ["e", "w"], ["y"]));

        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { Int8Embeddings = false });

        Assert.Contains(model.Graph.Node, n => n.OpType == "Gather" && n.Input[0] == "table");
    }

    [Fact]
    public void Apply_ExcludedNode_StaysFloat()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, K])
            .AddInitializer("w1", TensorDataType.Fp32, [K, K], Random(K * K, 13))
            .AddInitializer("w2", TensorDataType.Fp32, [K, N], Random(K * N, 14))
            .AddOutput("y", TensorDataType.Fp32, [-1, N])
            .AddNode("MatMul", ["x", "w1"], ["h"])
            .AddNode("MatMul", ["h", "w2"], ["y"]));
        var second = model.Graph.Node[1].Name;

        DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default with { Exclude = [second] });

        Assert.Single(model.Graph.Node, n => n.OpType == "MatMulInteger");
        Assert.Contains(model.Graph.Node, n => n.OpType == "MatMul" && n.Name == second);
    }

    [Fact]
    public void Apply_NothingToQuantize_IsRefusedAndLeavesTheModelAlone()
    {
        // A MatMul of two activations has no constant weight to quantize.
        var model = Parse(new OnnxModelBuilder()
            .AddInput("a", TensorDataType.Fp32, [-1, K])
            .AddInput("b", TensorDataType.Fp32, [K, N])
            .AddOutput("y", TensorDataType.Fp32, [-1, N])
            .AddNode("MatMul", ["a", "b"], ["y"]));
        var before = model.Clone();

        var error = Assert.Throws<MaasException>(() => DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Nothing to quantize", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, model);
    }

    [Fact]
    public void Apply_Opset9WithPlainOperators_RaisesTheOpsetTo11()
    {
        var model = Parse(new OnnxModelBuilder()
            .WithOpset(9)
            .AddInput("x", TensorDataType.Fp32, [-1, K])
            .AddInitializer("w", TensorDataType.Fp32, [K, N], Random(K * N, 15))
            .AddOutput("y", TensorDataType.Fp32, [-1, N])
            .AddNode("MatMul", ["x", "w"], ["h"])
            .AddNode("Relu", ["h"], ["y"]));
        var x = Random(2 * K, 16);
        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [2, K]));

        var notes = DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default);

        Assert.Equal(11, model.OpsetImport.Single().Version);
        Assert.Contains(notes, n => n.Contains("opset", StringComparison.Ordinal));
        Assert.InRange(RelativeError(expected, Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [2, K]))), 0, Tolerance);
    }

    [Fact]
    public void Apply_Opset9WithAnOperatorThatChangedMeaning_IsRefused()
    {
        var model = Parse(new OnnxModelBuilder()
            .WithOpset(9)
            .AddInput("x", TensorDataType.Fp32, [-1, K])
            .AddInitializer("w", TensorDataType.Fp32, [K, N], Random(K * N, 17))
            .AddOutput("y", TensorDataType.Fp32, [-1, N])
            .AddNode("MatMul", ["x", "w"], ["h"])
            .AddNode("Clip", ["h"], ["y"], OnnxAttribute.Float("min", 0f), OnnxAttribute.Float("max", 1f)));

        var error = Assert.Throws<MaasException>(() => DynamicInt8Quantizer.Apply(model, DynamicInt8Options.Default));

        Assert.Contains("Clip", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"per_chanel": true}""")]
    [InlineData("""{"per_channel": "yes"}""")]
    [InlineData("""{"op_types": ["Conv"]}""")]
    [InlineData("""[1]""")]
    public void Parse_BadOptions_IsRefused(string json)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<MaasException>(() => DynamicInt8Options.Parse(document.RootElement));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Parse_Options_ReadsEveryKey()
    {
        using var document = JsonDocument.Parse("""{"per_channel": false, "op_types": "MatMul", "exclude": ["a", "b"], "int8_embeddings": false}""");

        var options = DynamicInt8Options.Parse(document.RootElement);

        Assert.False(options.PerChannel);
        Assert.Equal(["MatMul"], options.OpTypes);
        Assert.Equal(["a", "b"], options.Exclude);
        Assert.False(options.Int8Embeddings);
    }

    public void Dispose() => _folder.Dispose();
}
