using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.UnitTests.Formats;

/// <summary>What <see cref="OnnxModelBuilder"/> writes, <see cref="OnnxModelReader"/> reads back.</summary>
public sealed class OnnxModelRoundTripTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    public static TheoryData<TensorDataType> AllDataTypes => OnnxSampleValues.AllDataTypes;

    [Fact]
    public void Read_BuiltModel_ReturnsInputsAndOutputsWithVariableDims()
    {
        var info = ReadBack(new OnnxModelBuilder()
            .AddInput("ids", TensorDataType.Int64, [-1, -1])
            .AddInput("image", TensorDataType.Fp32, [1, 3, 224, 224])
            .AddInput("scalar", TensorDataType.Fp64, [])
            .AddOutput("scores", TensorDataType.Fp16, [-1, 1000])
            .AddOutput("labels", TensorDataType.Bytes, [-1])
            .AddNode("Identity", ["ids"], ["scores"]));

        Assert.Equal(
            [
                ("ids", TensorDataType.Int64, "[-1, -1]"),
                ("image", TensorDataType.Fp32, "[1, 3, 224, 224]"),
                ("scalar", TensorDataType.Fp64, "[]"),
            ],
            info.Inputs.Select(i => (i.Name, i.DataType, i.ShapeText)));
        Assert.Equal(
            [("scores", TensorDataType.Fp16, "[-1, 1000]"), ("labels", TensorDataType.Bytes, "[-1]")],
            info.Outputs.Select(o => (o.Name, o.DataType, o.ShapeText)));
    }

    [Fact]
    public void Read_BuiltModel_ReturnsHeaderFacts()
    {
        var info = ReadBack(new OnnxModelBuilder()
            .WithIrVersion(9)
            .WithOpset(17)
            .WithOpset(1, "com.microsoft")
            .WithProducer("maas-tests", "1.2.3")
            .WithGraphName("tiny")
            .AddInput("x", TensorDataType.Fp32, [2])
            .AddInitializer("a", TensorDataType.Fp32, [2], new[] { 1f, 2f })
            .AddInitializer("b", TensorDataType.Fp32, [2], new[] { 3f, 4f })
            .AddOutput("y", TensorDataType.Fp32, [2])
            .AddNode("Add", ["x", "a"], ["t"])
            .AddNode("Add", ["t", "b"], ["y"]));

        Assert.Equal(9, info.IrVersion);
        Assert.Equal(new Dictionary<string, long> { ["ai.onnx"] = 17, ["com.microsoft"] = 1 }, info.OpsetImports);
        Assert.Equal("maas-tests", info.ProducerName);
        Assert.Equal("1.2.3", info.ProducerVersion);
        Assert.Equal("tiny", info.GraphName);
        Assert.Equal(2, info.NodeCount);
        Assert.Equal(2, info.InitializerCount);
    }

    [Fact]
    public void Read_BuilderDefaults_ReportsIr8Opset13AndProducerMaas()
    {
        var info = ReadBack(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [1])
            .AddOutput("x", TensorDataType.Fp32, [1]));

        Assert.Equal(8, info.IrVersion);
        Assert.Equal(new Dictionary<string, long> { ["ai.onnx"] = 13 }, info.OpsetImports);
        Assert.Equal("maas", info.ProducerName);
        Assert.Null(info.ProducerVersion);
    }

    [Fact]
    public void Read_InitializerAlsoListedAsInput_LeavesItOut()
    {
        // IR versions before 4 required every initializer to be a graph input too.
        var info = ReadBack(new OnnxModelBuilder()
            .WithIrVersion(3)
            .WithOpset(9)
            .AddInput("x", TensorDataType.Fp32, [-1, 2])
            .AddInput("w", TensorDataType.Fp32, [2, 2])
            .AddInitializer("w", TensorDataType.Fp32, [2, 2], new[] { 1f, 0f, 0f, 1f })
            .AddOutput("y", TensorDataType.Fp32, [-1, 2])
            .AddNode("MatMul", ["x", "w"], ["y"]));

        Assert.Equal(["x"], info.Inputs.Select(i => i.Name));
        Assert.Equal(1, info.InitializerCount);
    }

    [Theory]
    [MemberData(nameof(AllDataTypes))]
    public void Read_EveryDataType_ReturnsTheDeclaredElementType(TensorDataType type)
    {
        var info = ReadBack(new OnnxModelBuilder()
            .AddInput("x", type, [4])
            .AddInitializer("c", type, [6], OnnxSampleValues.Six(type))
            .AddOutput("y", type, [4])
            .AddNode("Identity", ["x"], ["y"]));

        Assert.Equal(type, Assert.Single(info.Inputs).DataType);
        Assert.Equal(type, Assert.Single(info.Outputs).DataType);
    }

    [Fact]
    public void Read_Stream_ReadsTheSameAsTheFile()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", TensorDataType.UInt8, [-1, 28, 28])
            .AddOutput("y", TensorDataType.UInt8, [-1, 28, 28])
            .AddNode("Identity", ["x"], ["y"])
            .ToBytes();
        using var stream = new MemoryStream(bytes);

        var fromStream = OnnxModelReader.Read(stream);
        var fromFile = OnnxModelReader.Read(_folder.Write("m.onnx", bytes));

        Assert.Equal(fromFile.Inputs.Single().ShapeText, fromStream.Inputs.Single().ShapeText);
        Assert.Equal("[-1, 28, 28]", fromStream.Inputs.Single().ShapeText);
    }

    public void Dispose() => _folder.Dispose();

    private OnnxModelInfo ReadBack(OnnxModelBuilder builder) => OnnxModelReader.Read(_folder.Write("model.onnx", builder.ToBytes()));
}
