using System.Buffers;
using System.Runtime.InteropServices;

namespace Maas.Core.Tensors;

/// <summary>The bytes of a primitive array (<c>float[]</c>, <c>long[]</c> ...) as <see cref="Memory{T}"/> of bytes,
/// without copying, so a tensor made from a typed array and one made from raw bytes look alike.</summary>
internal sealed unsafe class ArrayMemoryManager(Array array, int byteLength) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), byteLength);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        var start = (byte*)handle.AddrOfPinnedObject();
        return new MemoryHandle(start + elementIndex, handle, this);
    }

    // The GCHandle in the MemoryHandle is freed by MemoryHandle.Dispose; nothing else is held.
    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
