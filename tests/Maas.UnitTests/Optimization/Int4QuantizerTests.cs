using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Int4;
using Maas.UnitTests.Formats;
using static Maas.UnitTests.Optimization.PassTestModels;

namespace Maas.UnitTests.Optimization;

/// <summary>int4 (MatMulNBits): ONNX Runtime's output equals x · dequantize(packed weights) as the contrib operator's
/// documentation describes the layout (within 1e-4 of the range: float summation order), and stays within 8% of the
/// float graph's range with blocks of up to 32 weights (12% with blocks of 128, whose scales are coarser).</summary>
public sealed class Int4QuantizerTests : IDisposable
{
    private const int N = 24;
    private readonly TempModelFolder _folder = new();

    [Theory]
    [InlineData(64, 32, true, 0.08)]
    [InlineData(64, 32, false, 0.08)]
    [InlineData(80, 16, true, 0.08)]
    [InlineData(80, 32, false, 0.08)]
    [InlineData(256, 128, true, 0.12)]
    public void Apply_MatMul_OrtComputesTheDocumentedDequantization(int k, int blockSize, bool symmetric, double tolerance)
    {
        var weights = Random(k * N, k + blockSize, 0.3f);
        var model = MatMulModel(k, weights);
        var x = Random(3 * k, 99);

        var expected = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [3, k]));
        Int4Quantizer.Apply(model, Int4Options.Default with { BlockSize = blockSize, Symmetric = symmetric });
        var actual = Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [3, k]));

        var node = Assert.Single(model.Graph.Node);
        Assert.Equal(("MatMulNBits", "com.microsoft"), (node.OpType, node.Domain));
        Assert.Contains(model.OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);
        Assert.Equal(symmetric ? 3 : 4, node.Input.Count);
        var reference = MultiplyByDequantized(model, x, 3, k);
        Assert.InRange(RelativeError(reference, actual), 0, 1e-4);
        Assert.InRange(RelativeError(expected, actual), 0, tolerance);
    }

    [Fact]
    public void Apply_PositiveWeights_AsymmetricIsCloserThanSymmetric()
    {
        const int k = 128;
        var weights = Random(k * N, 5).Select(v => 1f + v).ToArray();
        var x = Random(4 * k, 6);
        var expected = Run(_folder, MatMulModel(k, weights), "y", ("x", TensorDataType.Fp32, x, [4, k]));

        var errors = new[] { true, false }.Select(symmetric =>
        {
            var model = MatMulModel(k, weights);
            Int4Quantizer.Apply(model, Int4Options.Default with { Symmetric = symmetric });
            return RelativeError(expected, Run(_folder, model, "y", ("x", TensorDataType.Fp32, x, [4, k])));
        }).ToList();

        Assert.True(errors[1] < errors[0], $"asymmetric {errors[1]} should beat symmetric {errors[0]} on all-positive weights");
    }

    [Fact]
    public void Apply_NoConstantWeight_IsRefused()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("a", TensorDataType.Fp32, [-1, 32])
            .AddInput("b", TensorDataType.Fp32, [32, N])
            .AddOutput("y", TensorDataType.Fp32, [-1, N])
            .AddNode("MatMul", ["a", "b"], ["y"]));

        var error = Assert.Throws<MaasException>(() => Int4Quantizer.Apply(model, Int4Options.Default));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("""{"block_size": 48}""")]
    [InlineData("""{"block_size": 8}""")]
    [InlineData("""{"accuracy_level": 5}""")]
    [InlineData("""{"bits": 3}""")]
    public void Parse_BadOptions_IsRefused(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(MaasErrorKind.InvalidArgument, Assert.Throws<MaasException>(() => Int4Options.Parse(document.RootElement)).Kind);
    }

    public void Dispose() => _folder.Dispose();

    private static ModelProto MatMulModel(int k, float[] weights) => Parse(new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [-1, k])
        .AddInitializer("w", TensorDataType.Fp32, [k, N], weights)
        .AddOutput("y", TensorDataType.Fp32, [-1, N])
        .AddNode("MatMul", ["x", "w"], ["y"]));

    /// <summary>x · W, with W read back from the packed initializers the way the operator's documentation says.</summary>
    private static float[] MultiplyByDequantized(ModelProto model, float[] x, int m, int k)
    {
        var node = model.Graph.Node.Single();
        TensorProto Get(int input) => model.Graph.Initializer.Single(t => t.Name == node.Input[input]);
        var b = OnnxTensorData.ToUInt8(Get(1));
        var scales = OnnxTensorData.ToFloats(Get(2));
        var zeroPoints = node.Input.Count > 3 ? OnnxTensorData.ToUInt8(Get(3)) : null;
        var blockSize = (int)OnnxAttributes.GetInt(node, "block_size", 0);
        var blocks = (k + blockSize - 1) / blockSize;
        var y = new float[m * N];
        for (var col = 0; col < N; col++)
        {
            for (var row = 0; row < k; row++)
            {
                var (block, j) = (row / blockSize, row % blockSize);
                var packed = b[(((col * blocks) + block) * (blockSize / 2)) + (j / 2)];
                var q = (j % 2 == 0 ? packed : packed >> 4) & 0xF;
                var zp = zeroPoints is null ? 8 : (zeroPoints[(col * ((blocks + 1) / 2)) + (block / 2)] >> (4 * (block % 2))) & 0xF;
                var w = (q - zp) * scales[(col * blocks) + block];
                for (var r = 0; r < m; r++)
                {
                    y[(r * N) + col] += x[(r * k) + row] * w;
                }
            }
        }

        return y;
    }
}
