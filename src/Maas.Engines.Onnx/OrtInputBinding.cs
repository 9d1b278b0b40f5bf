using System.Buffers;
using Maas.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Engines.Onnx;

/// <summary>Wraps request tensors as <see cref="OrtValue"/>s without copying numeric data: each tensor's bytes (a
/// pooled buffer, a wrapped array, or raw bytes borrowed from the request) are pinned for the duration of the run and
/// ONNX Runtime reads them in place.</summary>
internal sealed unsafe class OrtInputBinding(int capacity) : IDisposable
{
    private readonly List<MemoryHandle> _pins = new(capacity);

    public List<string> Names { get; } = new(capacity);

    public List<OrtValue> Values { get; } = new(capacity);

    public void Add(Tensor tensor)
    {
        Names.Add(tensor.Name);
        Values.Add(tensor.DataType == TensorDataType.Bytes ? CreateStrings(tensor) : CreatePinned(tensor));
    }

    private OrtValue CreatePinned(Tensor tensor)
    {
        var pin = tensor.Memory.Pin();
        _pins.Add(pin);
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance,
            OnnxElementTypes.ToElementType(tensor.DataType),
            tensor.Shape,
            (IntPtr)pin.Pointer,
            tensor.ByteLength);
    }

    private static OrtValue CreateStrings(Tensor tensor)
    {
        // ORT keeps its own std::string per element, so BYTES are copied whatever the source.
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
        for (var i = 0; i < tensor.ElementCount; i++)
        {
            value.StringTensorSetElementAt(tensor.GetBytes(i), i);
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
            pin.Dispose();
        }
    }
}
