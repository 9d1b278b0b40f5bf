using Google.Protobuf;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using static Maas.UnitTests.Optimization.PassTestModels;
using DataType = Maas.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace Maas.UnitTests.Optimization;

/// <summary>The graph helpers other passes build on: lookups, names, ordered edits, opsets, tensor conversions.</summary>
public sealed class OnnxGraphTests
{
    [Fact]
    public void TryGetConstant_InitializerAlsoAGraphInput_IsNotConstantFromIr4On()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [2])
            .AddInput("w", TensorDataType.Fp32, [2])
            .AddInitializer("w", TensorDataType.Fp32, [2], new[] { 1f, 2f })
            .AddInitializer("c", TensorDataType.Fp32, [2], new[] { 3f, 4f })
            .AddOutput("y", TensorDataType.Fp32, [2])
            .AddNode("Add", ["x", "w"], ["t"])
            .AddNode("Add", ["t", "c"], ["y"]));

        Assert.False(new OnnxGraph(model).TryGetConstant("w", out _));
        Assert.True(new OnnxGraph(model).TryGetConstant("c", out _));
        model.IrVersion = 3;
        Assert.True(new OnnxGraph(model).TryGetConstant("w", out _));
    }

    [Fact]
    public void TryGetConstant_ConstantNodeOutput_ReturnsItsTensor()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [2])
            .AddOutput("y", TensorDataType.Fp32, [2])
            .AddNode("Add", ["x", "k"], ["y"]));
        var constant = new NodeProto { OpType = "Constant", Name = "k_node" };
        constant.Output.Add("k");
        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensorData.FromFloats("k", [2], [5f, 6f]) });
        model.Graph.Node.Insert(0, constant);

        Assert.True(new OnnxGraph(model).TryGetConstant("k", out var tensor));
        Assert.Equal([5f, 6f], OnnxTensorData.ToFloats(tensor));
    }

    [Fact]
    public void UniqueName_TakenNames_AreNeverReturned()
    {
        var graph = new OnnxGraph(Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [2])
            .AddOutput("y", TensorDataType.Fp32, [2])
            .AddNode("Relu", ["x"], ["y"])));

        Assert.Equal("x_1", graph.UniqueName("x"));
        Assert.Equal("x_2", graph.UniqueName("x"));
        Assert.Equal("fresh", graph.UniqueName("fresh"));
        Assert.Equal("fresh_1", graph.UniqueName("fresh"));
    }

    [Fact]
    public void Commit_ReplaceAndInsertBefore_KeepsOrderAndDropsUnusedInitializers()
    {
        var model = Parse(new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [2])
            .AddInitializer("w", TensorDataType.Fp32, [2], new[] { 1f, 2f })
            .AddOutput("y", TensorDataType.Fp32, [2])
            .AddNode("Relu", ["x"], ["r"])
            .AddNode("Mul", ["r", "w"], ["y"]));
        var graph = new OnnxGraph(model);
        var mul = model.Graph.Node[1];

        graph.InsertBefore(mul, graph.NewNode("Neg", ["r"], ["n"], "neg"));
        graph.Replace(mul, graph.NewNode("Add", ["r", "n"], ["y"], "add"));
        graph.Commit();

        Assert.Equal(["Relu", "Neg", "Add"], OpTypes(model));
        Assert.Empty(model.Graph.Initializer);
        Assert.Equal("Relu", Assert.Single(graph.Consumers("x")).OpType);
    }

    [Fact]
    public void ElementType_DeclaredValues_AreKnownAndOthersAreZero()
    {
        var graph = new OnnxGraph(Parse(new OnnxModelBuilder()
            .AddInput("ids", TensorDataType.Int64, [-1])
            .AddInitializer("table", TensorDataType.Fp32, [4, 2], new float[8])
            .AddOutput("y", TensorDataType.Fp32, [-1, 2])
            .AddNode("Gather", ["table", "ids"], ["y"])));

        Assert.Equal((int)DataType.Int64, graph.ElementType("ids"));
        Assert.Equal((int)DataType.Float, graph.ElementType("table"));
        Assert.Equal(0, graph.ElementType("nothing"));
    }

    [Fact]
    public void Ensure_MicrosoftDomain_IsAddedOnceAtTheAskedVersion()
    {
        var model = Parse(new OnnxModelBuilder().AddInput("x", TensorDataType.Fp32, [1]).AddOutput("x", TensorDataType.Fp32, [1]));

        OnnxOpsets.Ensure(model, OnnxOpsets.MicrosoftDomain, 1);
        OnnxOpsets.Ensure(model, OnnxOpsets.MicrosoftDomain, 1);

        Assert.Equal(1, OnnxOpsets.Version(model, OnnxOpsets.MicrosoftDomain));
        Assert.Equal(2, model.OpsetImport.Count);
        Assert.Equal(13, OnnxOpsets.Version(model));
    }

    [Fact]
    public void RaiseDefault_BelowOpset7_IsRefused()
    {
        var model = Parse(new OnnxModelBuilder().WithOpset(6).AddInput("x", TensorDataType.Fp32, [1]).AddOutput("y", TensorDataType.Fp32, [1]).AddNode("Relu", ["x"], ["y"]));

        Assert.Equal(MaasErrorKind.InvalidArgument, Assert.Throws<MaasException>(() => OnnxOpsets.RaiseDefault(model, 11, "test")).Kind);
    }

    [Fact]
    public void ToFloats_TypedFieldsAndRawData_ReadTheSameValues()
    {
        var typed = new TensorProto { Name = "t", DataType = (int)DataType.Float };
        typed.Dims.Add(3);
        typed.FloatData.AddRange([1.5f, -2f, 3.25f]);
        var halves = new TensorProto { Name = "h", DataType = (int)DataType.Float16 };
        halves.Dims.Add(2);
        halves.Int32Data.AddRange([BitConverter.HalfToUInt16Bits((Half)0.5f), BitConverter.HalfToUInt16Bits((Half)(-4f))]);

        Assert.Equal([1.5f, -2f, 3.25f], OnnxTensorData.ToFloats(typed));
        Assert.Equal([1.5f, -2f, 3.25f], OnnxTensorData.ToFloats(OnnxTensorData.FromFloats("r", [3], [1.5f, -2f, 3.25f])));
        Assert.Equal([0.5f, -4f], OnnxTensorData.ToFloats(halves));
        Assert.Equal([(sbyte)-7, (sbyte)9], OnnxTensorData.ToInt8(OnnxTensorData.FromInt8("i", [2], [-7, 9])));
    }

    [Fact]
    public void ToFloats_RawDataOfTheWrongLength_IsRefused()
    {
        var tensor = new TensorProto { Name = "bad", DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(new byte[7]) };
        tensor.Dims.Add(2);

        Assert.Equal(MaasErrorKind.InvalidArgument, Assert.Throws<MaasException>(() => OnnxTensorData.ToFloats(tensor)).Kind);
    }
}
