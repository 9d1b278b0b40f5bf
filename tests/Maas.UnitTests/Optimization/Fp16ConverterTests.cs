using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Quantization.Fp16;
using Maas.UnitTests.Formats;
using static Maas.UnitTests.Optimization.PassTestModels;

namespace Maas.UnitTests.Optimization;

/// <summary>fp16 on small graphs and on MiniLM: outputs agree with float32 under ONNX Runtime within 1% of the output's
/// range (float16 keeps 11 significant bits; errors add up over K = 64 products), float32 stays where the schema or
/// the caller needs it.</summary>
public sealed class Fp16ConverterTests(MiniLmModelFixture miniLm) : IClassFixture<MiniLmModelFixture>, IDisposable
{
    private const double Tolerance = 0.01;
    private const int K = 64;
    private readonly TempModelFolder _folder = new();

    [Fact]
    public void Apply_Mlp_AgreesWithFloat32AndKeepsFloat32InputsAndOutputs()
    {
        var model = Mlp();
        var x = Random(4 * K, 1);

        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [4, K]));
        Fp16Converter.Apply(model, Fp16Options.Default);
        var actual = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [4, K]));

        Assert.InRange(RelativeError(expected, actual), 0, Tolerance);
        Assert.All(model.Graph.Initializer, t => Assert.Equal((int)TensorProto.Types.DataType.Float16, t.DataType));
        Assert.Equal((int)TensorProto.Types.DataType.Float, model.Graph.Input.Single().Type.TensorType.ElemType);
        Assert.Equal((int)TensorProto.Types.DataType.Float, model.Graph.Output.Single().Type.TensorType.ElemType);
        Assert.Equal("Cast", model.Graph.Node[0].OpType);
        Assert.Equal("Cast", model.Graph.Node[^1].OpType);
    }

    [Fact]
    public void Apply_KeepIoTypesOff_TakesAndReturnsFloat16()
    {
        var model = Mlp();
        var x = Random(4 * K, 2);
        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [4, K]));

        Fp16Converter.Apply(model, Fp16Options.Default with { KeepIoTypes = false });
        var actual = Run(_folder, model, "y", TensorDataType.Fp16, ("x", TensorDataType.Fp16, Array.ConvertAll(x, v => (Half)v), [4, K]));

        Assert.Equal((int)TensorProto.Types.DataType.Float16, model.Graph.Input.Single().Type.TensorType.ElemType);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Cast");
        Assert.InRange(RelativeError(expected, actual), 0, Tolerance);
    }

    [Fact]
    public void Apply_ResizeScalesAndRange_StayFloat32()
    {
        // Resize takes float32 scales only; Range has no float16 form.
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [1, 1, 4, 4])
            .AddInitializer("scales", TensorDataType.Fp32, [4], new[] { 1f, 1f, 2f, 2f })
            .AddInitializer("start", TensorDataType.Fp32, [], new[] { 0f })
            .AddInitializer("limit", TensorDataType.Fp32, [], new[] { 8f })
            .AddInitializer("delta", TensorDataType.Fp32, [], new[] { 1f })
            .AddOutput("y", TensorDataType.Fp32, [1, 1, 8, 8])
            .AddNode("Resize", ["x", "", "scales"], ["r"])
            .AddNode("Range", ["start", "limit", "delta"], ["ramp"])
            .AddNode("Add", ["r", "ramp"], ["y"]));
        var x = Random(16, 3);
        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [1, 1, 4, 4]));

        Fp16Converter.Apply(model, Fp16Options.Default);

        Assert.All(model.Graph.Initializer, t => Assert.Equal((int)TensorProto.Types.DataType.Float, t.DataType));
        Assert.InRange(RelativeError(expected, Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [1, 1, 4, 4]))), 0, Tolerance);
    }

    [Fact]
    public void Apply_MiniLm_RunsInOnnxRuntimeWithNearlyTheSameEmbedding()
    {
        var model = OnnxModelFile.Load(miniLm.ModelPath);
        var expected = RunMiniLm(miniLm.ModelPath);

        Fp16Converter.Apply(model, Fp16Options.Default);
        var path = _folder.File("minilm-fp16.onnx");
        OnnxModelFile.Save(model, path);
        var actual = RunMiniLm(path);

        Assert.True(new FileInfo(path).Length < new FileInfo(miniLm.ModelPath).Length * 0.55);
        var cosine = expected.Zip(actual, (a, b) => (double)a * b).Sum()
            / Math.Sqrt(expected.Sum(a => (double)a * a) * actual.Sum(b => (double)b * b));
        Assert.InRange(cosine, 0.999, 1.0001);
    }

    [Fact]
    public void Apply_IntegerOnlyGraph_IsRefused()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Int64, [-1])
            .AddOutput("y", TensorDataType.Int64, [-1])
            .AddNode("Neg", ["x"], ["y"]));

        Assert.Equal(MaasErrorKind.InvalidArgument, Assert.Throws<MaasException>(() => Fp16Converter.Apply(model, Fp16Options.Default)).Kind);
    }

    public void Dispose() => _folder.Dispose();

    private static ModelProto Mlp() => Parse(new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [-1, K])
        .AddInitializer("w1", TensorDataType.Fp32, [K, K], Random(K * K, 10, 0.2f))
        .AddInitializer("b1", TensorDataType.Fp32, [K], Random(K, 11))
        .AddInitializer("w2", TensorDataType.Fp32, [K, 8], Random(K * 8, 12, 0.2f))
        .AddOutput("y", TensorDataType.Fp32, [-1, 8])
        .AddNode("MatMul", ["x", "w1"], ["h"])
        .AddNode("Add", ["h", "b1"], ["hb"])
        .AddNode("Relu", ["hb"], ["a"])
        .AddNode("MatMul", ["a", "w2"], ["y"]));

    private static float[] RunMiniLm(string path)
    {
        long[] ids = [101, 2023, 2003, 1037, 3231, 1997, 1996, 2193, 2944, 1012, 102];
        return (float[])OnnxRuntimeRunner.Run(
            path,
            [
                ("input_ids", TensorDataType.Int64, ids, [1, ids.Length]),
                ("attention_mask", TensorDataType.Int64, Enumerable.Repeat(1L, ids.Length).ToArray(), [1, ids.Length]),
                ("token_type_ids", TensorDataType.Int64, new long[ids.Length], [1, ids.Length]),
            ],
            "924",
            TensorDataType.Fp32);
    }
}
