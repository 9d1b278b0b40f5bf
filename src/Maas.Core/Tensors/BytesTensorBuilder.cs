using System.Buffers;
using System.Buffers.Binary;

namespace Maas.Core.Tensors;

/// <summary>Appends BYTES elements in the protocol's raw form (each a 4-byte little-endian length, then the bytes)
/// into a pooled buffer that <see cref="Build"/> hands to the tensor.</summary>
/// <remarks>Dispose returns the buffer when <see cref="Build"/> was not called (an error part-way).</remarks>
public sealed class BytesTensorBuilder : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public BytesTensorBuilder(int initialBytes = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialBytes, 16));
    }

    /// <summary>Elements added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Appends one element.</summary>
    public void Add(ReadOnlySpan<byte> element)
    {
        var target = Reserve(element.Length);
        element.CopyTo(target);
    }

    /// <summary>Appends one element of <paramref name="length"/> bytes and returns its space to fill.</summary>
    public Span<byte> Reserve(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Ensure(checked(_length + 4 + length));
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), length);
        var target = _buffer.AsSpan(_length + 4, length);
        _length += 4 + length;
        Count++;
        return target;
    }

    /// <summary>Gives back space reserved by the last <see cref="Reserve"/> that was not used (e.g. a string shorter
    /// once unescaped).</summary>
    public void ShrinkLast(int lastStart, int actualLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(lastStart), actualLength);
        _length = lastStart + 4 + actualLength;
    }

    /// <summary>Byte offset where the next element's length prefix goes.</summary>
    public int Position => _length;

    /// <summary>The tensor; it owns the buffer from now on.</summary>
    public Tensor Build(string name, long[] shape)
    {
        var count = Tensor.CountElements(shape);
        if (count != Count)
        {
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}], which needs {count} elements, but {Count} were added.", nameof(shape));
        }

        var buffer = Interlocked.Exchange(ref _buffer, []);
        ObjectDisposedException.ThrowIf(buffer.Length == 0, this);
        return Tensor.FromPooled(name, TensorDataType.Bytes, shape, buffer, _length);
    }

    private void Ensure(int needed)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
