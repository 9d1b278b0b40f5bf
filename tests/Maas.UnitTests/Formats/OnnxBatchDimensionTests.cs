using Google.Protobuf;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;

namespace Maas.UnitTests.Formats;

public sealed class OnnxBatchDimensionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("maas-batchdim").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MakeSymbolic_ReshapeWithBatchPinnedAtOne_RunsBatchOfThree()
    {
        // x [1, 4] → Relu → Reshape to the constant [1, 2, 2] → y [1, 2, 2]: batch 3 fails before the edit.
        var bytes = new OnnxModelBuilder()
            .WithOpset(13)
            .AddInput("x", TensorDataType.Fp32, [1, 4])
            .AddOutput("y", TensorDataType.Fp32, [1, 2, 2])
            .AddInitializer("shape", TensorDataType.Int64, [3], new long[] { 1, 2, 2 })
            .AddNode("Relu", ["x"], ["r"])
            .AddNode("Reshape", ["r", "shape"], ["y"])
            .ToBytes();
        var model = ModelProto.Parser.ParseFrom(bytes);
        var path = Path.Combine(_folder, "model.onnx");
        float[] values = [1, -2, 3, -4, 5, 6, -7, 8, 9, 10, 11, -12];

        var changed = OnnxBatchDimension.MakeSymbolic(model);
        File.WriteAllBytes(path, model.ToByteArray());
        var result = (float[])OnnxRuntimeRunner.Run(path, [("x", TensorDataType.Fp32, values, [3, 4])], "y", TensorDataType.Fp32);

        Assert.Equal(3, changed);
        Assert.Equal("batch", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(values.Select(v => Math.Max(0, v)), result.Take(12));
    }

    [Fact]
    public void MakeSymbolic_FlattenAxisZero_Refused()
    {
        var bytes = new OnnxModelBuilder()
            .WithOpset(13)
            .AddInput("x", TensorDataType.Fp32, [1, 4])
            .AddOutput("y", TensorDataType.Fp32, [1, 4])
            .AddNode("Flatten", ["x"], ["y"], OnnxAttribute.Int("axis", 0))
            .ToBytes();

        Assert.Throws<InvalidOperationException>(() => OnnxBatchDimension.MakeSymbolic(ModelProto.Parser.ParseFrom(bytes)));
    }
}
