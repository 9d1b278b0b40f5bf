using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>An ONNX file with the adder's signature whose one node has an op type no runtime knows: the push reader
/// accepts it (it reads only the signature), ONNX Runtime refuses to load it.</summary>
internal static class BrokenModel
{
    public const string OpType = "NoSuchOpAnywhere";

    public static (string Name, byte[] Content)[] Files() =>
    [
        ("model.onnx", new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, 3])
            .AddInitializer("c", TensorDataType.Fp32, [1], new[] { 7f })
            .AddOutput("y", TensorDataType.Fp32, [-1, 3])
            .AddNode(OpType, ["x", "c"], ["y"])
            .ToBytes()),
    ];
}
