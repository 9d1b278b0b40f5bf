using System.Runtime.InteropServices;
using Maas.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Engines.Onnx;

/// <summary>Wraps request tensors as <see cref="OrtValue"/>s without copying numeric data: each array is pinned
/// for the duration of the run and ONNX Runtime reads it in place.</summary>
internal sealed class OrtInputBinding(int capacity) : IDisposable
{
    private readonly List<GCHandle> _pins = new(capacity);

    public List<string> Names { get; } = new(capacity);

    public List<OrtValue> Values { get; } = new(capacity);

    public void Add(Tensor tensor)
    {
        Names.Add(tensor.Name);
        Values.Add(tensor.DataType == TensorDataType.Bytes ? CreateStrings(tensor) : CreatePinned(tensor));
    }

    private OrtValue CreatePinned(Tensor tensor)
    {
        var pin = GCHandle.Alloc(tensor.Data, GCHandleType.Pinned);
        _pins.Add(pin);
        var bytes = (long)tensor.ElementCount * tensor.DataType.ElementSize();
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance,
            OnnxElementTypes.ToElementType(tensor.DataType),
            tensor.Shape,
            pin.AddrOfPinnedObject(),
            bytes);
    }

    private static OrtValue CreateStrings(Tensor tensor)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
        var items = (byte[][])tensor.Data;
        for (var i = 0; i < tensor.ElementCount; i++)
        {
            value.StringTensorSetElementAt(items[i].AsSpan(), i);
        }

        return value;
    }

    public void Dispose()
    {
        foreach (var value in Values)
        {
            value.Dispose();
        }

        foreach (var pin in _pins)
        {
            pin.Free();
        }
    }
}
