using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.UnitTests.Formats;

/// <summary>Models written by <see cref="OnnxModelBuilder"/> load and compute correctly in ONNX Runtime.</summary>
public sealed class OnnxModelBuilderRuntimeTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    public static TheoryData<TensorDataType> AllDataTypes => OnnxSampleValues.AllDataTypes;

    [Theory]
    [MemberData(nameof(AllDataTypes))]
    public void Identity_EveryDataType_ReturnsInputUnchanged(TensorDataType type)
    {
        var path = Save(new OnnxModelBuilder()
            .AddInput("x", type, [-1, 3])
            .AddOutput("y", type, [-1, 3])
            .AddNode("Identity", ["x"], ["y"]));
        var input = OnnxSampleValues.Six(type);

        var output = OnnxRuntimeRunner.Run(path, [("x", type, input, [2, 3])], "y", type);

        Assert.Equal(input.Cast<object>(), output.Cast<object>());
    }

    [Theory]
    [MemberData(nameof(AllDataTypes))]
    public void AddInitializer_EveryDataType_RuntimeReadsTheStoredValues(TensorDataType type)
    {
        var values = OnnxSampleValues.Six(type);
        var path = Save(new OnnxModelBuilder()
            .AddInitializer("c", type, [3, 2], values)
            .AddOutput("y", type, [3, 2])
            .AddNode("Identity", ["c"], ["y"]));

        var output = OnnxRuntimeRunner.Run(path, [], "y", type);

        Assert.Equal(values.Cast<object>(), output.Cast<object>());
    }

    [Fact]
    public void Add_Fp32Initializer_AddsBiasToEveryRow()
    {
        var path = Save(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, 3])
            .AddInitializer("bias", TensorDataType.Fp32, [3], new[] { 10f, 20f, 30f })
            .AddOutput("y", TensorDataType.Fp32, [-1, 3])
            .AddNode("Add", ["x", "bias"], ["y"]));

        var output = OnnxRuntimeRunner.Run(path, [("x", TensorDataType.Fp32, new[] { 1f, 2f, 3f, 4f, 5f, 6f }, [2, 3])], "y", TensorDataType.Fp32);

        Assert.Equal(new[] { 11f, 22f, 33f, 14f, 25f, 36f }, (float[])output);
    }

    [Fact]
    public void Add_Int64Initializer_AddsBiasToEveryRow()
    {
        var path = Save(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Int64, [2, -1])
            .AddInitializer("bias", TensorDataType.Int64, [2, 1], new[] { 1L << 40, -5L })
            .AddOutput("y", TensorDataType.Int64, [2, -1])
            .AddNode("Add", ["x", "bias"], ["y"]));

        var output = OnnxRuntimeRunner.Run(path, [("x", TensorDataType.Int64, new[] { 1L, 2L, 3L, 4L }, [2, 2])], "y", TensorDataType.Int64);

        Assert.Equal(new[] { (1L << 40) + 1, (1L << 40) + 2, -2L, -1L }, (long[])output);
    }

    [Fact]
    public void MatMul_Fp32Initializer_MultipliesByTheWeights()
    {
        var path = Save(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, 3])
            .AddInitializer("w", TensorDataType.Fp32, [3, 2], new[] { 1f, 2f, 3f, 4f, 5f, 6f })
            .AddOutput("y", TensorDataType.Fp32, [-1, 2])
            .AddNode("MatMul", ["x", "w"], ["y"]));

        var output = OnnxRuntimeRunner.Run(path, [("x", TensorDataType.Fp32, new[] { 1f, 0f, 2f, 0f, 1f, 1f }, [2, 3])], "y", TensorDataType.Fp32);

        // Row 1: [1,0,2]·W = [1+10, 2+12]; row 2: [0,1,1]·W = [3+5, 4+6].
        Assert.Equal(new[] { 11f, 14f, 8f, 10f }, (float[])output);
    }

    [Fact]
    public void AddNode_IntsAndFloatAttributes_RuntimeAppliesThem()
    {
        var path = Save(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [2, 3])
            .AddOutput("y", TensorDataType.Fp32, [3, 2])
            .AddNode("Transpose", ["x"], ["t"], OnnxAttribute.Ints("perm", 1, 0))
            .AddNode("LeakyRelu", ["t"], ["y"], OnnxAttribute.Float("alpha", 0.5f)));

        var output = OnnxRuntimeRunner.Run(path, [("x", TensorDataType.Fp32, new[] { 1f, -2f, 3f, -4f, 5f, -6f }, [2, 3])], "y", TensorDataType.Fp32);

        Assert.Equal(new[] { 1f, -2f, -1f, 5f, 3f, -3f }, (float[])output);
    }

    [Fact]
    public void AddNode_IntAttribute_RuntimeAppliesIt()
    {
        var path = Save(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Int32, [2, 1])
            .AddOutput("y", TensorDataType.Int32, [2, 2])
            .AddNode("Concat", ["x", "x"], ["y"], OnnxAttribute.Int("axis", 1)));

        var output = OnnxRuntimeRunner.Run(path, [("x", TensorDataType.Int32, new[] { 7, 8 }, [2, 1])], "y", TensorDataType.Int32);

        Assert.Equal(new[] { 7, 7, 8, 8 }, (int[])output);
    }

    [Fact]
    public void AddNode_StringAttribute_RuntimeAppliesIt()
    {
        var path = Save(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [3])
            .AddInitializer("pads", TensorDataType.Int64, [2], new[] { 1L, 1L })
            .AddOutput("y", TensorDataType.Fp32, [5])
            .AddNode("Pad", ["x", "pads"], ["y"], OnnxAttribute.String("mode", "reflect")));

        var output = OnnxRuntimeRunner.Run(path, [("x", TensorDataType.Fp32, new[] { 1f, 2f, 3f }, [3])], "y", TensorDataType.Fp32);

        // "constant" (the default) would give 0 at both ends; only a honoured "reflect" gives 2.
        Assert.Equal(new[] { 2f, 1f, 2f, 3f, 2f }, (float[])output);
    }

    public void Dispose() => _folder.Dispose();

    private string Save(OnnxModelBuilder builder)
    {
        var path = _folder.File("model.onnx");
        builder.Save(path);
        return path;
    }
}
