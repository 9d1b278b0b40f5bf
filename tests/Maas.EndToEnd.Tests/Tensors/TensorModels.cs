using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>Small ONNX graphs the tensor tests push.</summary>
internal static class TensorModels
{
    /// <summary><c>y = x</c> with x and y of shape [-1, 3].</summary>
    public static OnnxModelBuilder Identity(TensorDataType type) => new OnnxModelBuilder()
        .AddInput("x", type, [-1, 3])
        .AddOutput("y", type, [-1, 3])
        .AddNode("Identity", ["x"], ["y"]);

    /// <summary><c>y = x + [10, 20, 30]</c> (FP32, x of shape [-1, 3]).</summary>
    public static OnnxModelBuilder AddBias() => new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [-1, 3])
        .AddInitializer("bias", TensorDataType.Fp32, [3], new[] { 10f, 20f, 30f })
        .AddOutput("y", TensorDataType.Fp32, [-1, 3])
        .AddNode("Add", ["x", "bias"], ["y"]);

    /// <summary><c>y = x + b</c> for two inputs of the same type and shape [-1, 3].</summary>
    public static OnnxModelBuilder AddTwoInputs(TensorDataType type) => new OnnxModelBuilder()
        .AddInput("a", type, [-1, 3])
        .AddInput("b", type, [-1, 3])
        .AddOutput("sum", type, [-1, 3])
        .AddNode("Add", ["a", "b"], ["sum"]);

    /// <summary>Two outputs from one FP32 input: <c>same = x</c> and <c>plus_one = x + 1</c>.</summary>
    public static OnnxModelBuilder TwoOutputs() => new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [-1, 3])
        .AddInitializer("one", TensorDataType.Fp32, [1], new[] { 1f })
        .AddOutput("same", TensorDataType.Fp32, [-1, 3])
        .AddOutput("plus_one", TensorDataType.Fp32, [-1, 3])
        .AddNode("Identity", ["x"], ["same"])
        .AddNode("Add", ["x", "one"], ["plus_one"]);
}
