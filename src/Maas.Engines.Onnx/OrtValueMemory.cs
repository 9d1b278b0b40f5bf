using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Engines.Onnx;

/// <summary>An output <see cref="OrtValue"/>'s native buffer as <see cref="Memory{T}"/>, so the tensor handed to the
/// protocol reads ORT's bytes in place; disposing it frees the OrtValue.</summary>
/// <remarks>ORT's CPU allocator never moves a tensor's buffer, so pinning is a no-op.</remarks>
internal sealed unsafe class OrtValueMemory : MemoryManager<byte>
{
    private readonly OrtValue _value;
    private readonly byte* _pointer;
    private readonly int _length;

    public OrtValueMemory(OrtValue value)
    {
        _value = value;
        var span = value.GetTensorMutableRawData();
        _pointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
        _length = span.Length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex, default, this);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _value.Dispose();
        }
    }
}
