using System.Runtime.InteropServices;
using Maas.Core.Errors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Maas.Core.Tensors.Tensor;

namespace Maas.Engines.Onnx;

/// <summary>Copies an output <see cref="OrtValue"/> into a pooled <see cref="Tensor"/> (one copy; the OrtValue is freed right after).</summary>
internal static class OrtOutputReader
{
    public static Tensor Read(string name, OrtValue value)
    {
        if (!value.IsTensor)
        {
            throw new MaasException(MaasErrorKind.Internal, $"Output '{name}' is not a tensor; only tensor outputs are served.");
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            TensorElementType.Bool => Copy<bool, bool>(name, shape, value),
            TensorElementType.UInt8 => Copy<byte, byte>(name, shape, value),
            TensorElementType.UInt16 => Copy<ushort, ushort>(name, shape, value),
            TensorElementType.UInt32 => Copy<uint, uint>(name, shape, value),
            TensorElementType.UInt64 => Copy<ulong, ulong>(name, shape, value),
            TensorElementType.Int8 => Copy<sbyte, sbyte>(name, shape, value),
            TensorElementType.Int16 => Copy<short, short>(name, shape, value),
            TensorElementType.Int32 => Copy<int, int>(name, shape, value),
            TensorElementType.Int64 => Copy<long, long>(name, shape, value),
            TensorElementType.Float16 => Copy<Float16, Half>(name, shape, value),
            TensorElementType.Float => Copy<float, float>(name, shape, value),
            TensorElementType.Double => Copy<double, double>(name, shape, value),
            TensorElementType.String => ReadStrings(name, shape, value),
            var other => throw new MaasException(MaasErrorKind.Internal, $"Output '{name}' has element type {other}, which the protocol cannot carry."),
        };
    }

    private static Tensor Copy<TOrt, TOut>(string name, long[] shape, OrtValue value)
        where TOrt : unmanaged
        where TOut : unmanaged
    {
        var tensor = Tensor.Rent<TOut>(name, shape);
        try
        {
            var source = MemoryMarshal.Cast<TOrt, TOut>(value.GetTensorDataAsSpan<TOrt>());
            source.CopyTo(tensor.AsSpan<TOut>());
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static Tensor ReadStrings(string name, long[] shape, OrtValue value)
    {
        var count = Tensor.CountElements(shape);
        var items = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            items[i] = value.GetStringElementAsSpan(i).ToArray();
        }

        return Tensor.Create(name, shape, items);
    }
}
