using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.UnitTests.Formats;

/// <summary>The builder rejects definitions that would write a model no runtime can load.</summary>
public sealed class OnnxModelBuilderTests
{
    [Fact]
    public void AddInitializer_ValuesOfAnotherType_ThrowsArgumentException()
    {
        var builder = new OnnxModelBuilder();

        var ex = Assert.Throws<ArgumentException>(() => builder.AddInitializer("w", TensorDataType.Fp32, [2], new[] { 1.0, 2.0 }));

        Assert.Contains("FP32", ex.Message);
    }

    [Fact]
    public void AddInitializer_CountNotMatchingDims_ThrowsArgumentException()
    {
        var builder = new OnnxModelBuilder();

        var ex = Assert.Throws<ArgumentException>(() => builder.AddInitializer("w", TensorDataType.Int64, [2, 2], new[] { 1L, 2L, 3L }));

        Assert.Contains("4 elements", ex.Message);
    }

    [Fact]
    public void AddInput_DimensionBelowMinusOne_ThrowsArgumentException()
    {
        var builder = new OnnxModelBuilder();

        Assert.Throws<ArgumentException>(() => builder.AddInput("x", TensorDataType.Fp32, [-2, 3]));
    }

    [Fact]
    public void ToBytes_CalledTwiceWithAdditionsBetween_IncludesTheLaterAdditions()
    {
        var builder = new OnnxModelBuilder().AddInput("x", TensorDataType.Fp32, [1]).AddOutput("x", TensorDataType.Fp32, [1]);
        var first = builder.ToBytes();

        var second = builder.AddInput("z", TensorDataType.Fp32, [1]).ToBytes();

        Assert.Single(OnnxModelReader.Read(new MemoryStream(first)).Inputs);
        Assert.Equal(2, OnnxModelReader.Read(new MemoryStream(second)).Inputs.Count);
    }

    [Fact]
    public void WithOpset_AiOnnxDomain_SetsTheDefaultDomain()
    {
        var bytes = new OnnxModelBuilder().WithOpset(18, "ai.onnx").AddOutput("y", TensorDataType.Fp32, [1]).ToBytes();

        var info = OnnxModelReader.Read(new MemoryStream(bytes));

        Assert.Equal(new Dictionary<string, long> { ["ai.onnx"] = 18 }, info.OpsetImports);
    }
}
