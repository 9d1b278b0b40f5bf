using Maas.Core.Errors;
using Microsoft.ML.OnnxRuntime;
using Maas.Core.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Maas.Core.Tensors.Tensor;

namespace Maas.Engines.Onnx;

/// <summary>Turns an output <see cref="OrtValue"/> into a <see cref="Tensor"/> that takes ownership of it: numeric
/// outputs are read in place from ORT's buffer (no copy), freed when the tensor and its slices are disposed; strings
/// are copied into raw BYTES form and the OrtValue freed at once.</summary>
internal static class OrtOutputReader
{
    public static Tensor Read(string name, OrtValue value)
    {
        if (!value.IsTensor)
        {
            value.Dispose();
            throw new MaasException(MaasErrorKind.Internal, $"Output '{name}' is not a tensor; only tensor outputs are served.");
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        if (info.ElementDataType == TensorElementType.String)
        {
            using (value)
            {
                return ReadStrings(name, shape, value);
            }
        }

        if (!OnnxElementTypes.TryToDataType(info.ElementDataType, out var type))
        {
            value.Dispose();
            throw new MaasException(MaasErrorKind.Internal, $"Output '{name}' has element type {info.ElementDataType}, which the protocol cannot carry.");
        }

        var memory = new OrtValueMemory(value);
        try
        {
            return Tensor.FromBytes(name, type, shape, memory.Memory, memory);
        }
        catch
        {
            ((IDisposable)memory).Dispose();
            throw;
        }
    }

    private static Tensor ReadStrings(string name, long[] shape, OrtValue value)
    {
        var count = Tensor.CountElements(shape);
        using var builder = new BytesTensorBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Add(value.GetStringElementAsSpan(i));
        }

        return builder.Build(name, shape);
    }
}
