using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Reads float initializers and writes the small typed initializers the static pass emits (quantized weights,
/// scales, zero points), through the shared <see cref="OnnxTensorData"/>.</summary>
/// <remarks>The model is loaded with <see cref="Maas.Formats.Onnx.OnnxModelFile.Load"/>, so no tensor is still in
/// external data here.</remarks>
internal static class QdqTensors
{
    /// <summary>The elements of a FLOAT initializer (raw_data or float_data).</summary>
    /// <exception cref="MaasException">InvalidArgument when it is not float or its values do not fill its dims.</exception>
    public static float[] ReadFloats(TensorProto tensor) =>
        tensor.DataType == (int)TensorProto.Types.DataType.Float
            ? OnnxTensorData.ToFloats(tensor)
            : throw MaasException.InvalidArgument($"Initializer '{tensor.Name}' is not float (ONNX type {tensor.DataType}).");

    public static TensorProto Floats(string name, long[] dims, float[] values) => OnnxTensorData.FromFloats(name, dims, values);

    public static TensorProto Int8(string name, long[] dims, sbyte[] values) => OnnxTensorData.FromInt8(name, dims, values);

    public static TensorProto UInt8(string name, long[] dims, byte[] values) => OnnxTensorData.FromUInt8(name, dims, values);

    public static TensorProto Int32(string name, long[] dims, int[] values) => OnnxTensorData.FromInt32(name, dims, values);
}
