using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Maas.Core.Tensors;

/// <summary>A named tensor: element type, shape and its elements as bytes in row-major order.</summary>
/// <remarks>
/// <para>The bytes are the protocol's raw form: numeric elements little-endian, back to back (exactly
/// <see cref="ElementCount"/> × element size bytes); BYTES elements each a 4-byte little-endian length followed by
/// that many bytes. Typed views (<see cref="AsSpan{T}"/>) cast the bytes in place; nothing is copied.</para>
/// <para>Where the bytes live: a wrapped typed array (<see cref="Create{T}"/>), a buffer rented from
/// <see cref="ArrayPool{T}"/> (<see cref="Rent{T}"/>, <see cref="BytesTensorBuilder"/>,
/// <see cref="Concatenate"/>), or memory borrowed from elsewhere (<see cref="FromBytes"/>: a request body, a gRPC
/// message's raw contents, an engine's output buffer). Rented memory goes back to the pool, and an owner passed to
/// <see cref="FromBytes"/> is disposed, when the tensor and every <see cref="Slice"/> of it are disposed. Borrowed
/// memory without an owner must outlive the tensor: such tensors live no longer than the request they came with.</para>
/// <para>Typed views assume the platform reads misaligned values (x64, arm64), since raw bytes inside a request body
/// start wherever the body puts them.</para>
/// </remarks>
public sealed class Tensor : IDisposable
{
    private Memory<byte> _memory;
    private readonly TensorStorage? _storage;
    private int[]? _offsets;
    private int _disposed;

    private Tensor(string name, TensorDataType dataType, long[] shape, int elementCount, Memory<byte> memory, TensorStorage? storage, int[]? offsets)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        ElementCount = elementCount;
        _memory = memory;
        _storage = storage;
        _offsets = offsets;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public long[] Shape { get; }

    public int ElementCount { get; }

    /// <summary>The elements in raw form (see the remarks); valid until the tensor is disposed.</summary>
    public ReadOnlyMemory<byte> Memory => _memory;

    /// <summary>Length of <see cref="Memory"/> in bytes.</summary>
    public int ByteLength => _memory.Length;

    /// <summary>Wraps an existing array without copying; its length must be at least the element count of
    /// <paramref name="shape"/>. A <c>byte[][]</c> makes a BYTES tensor, whose elements are copied into raw form.</summary>
    public static Tensor Create<T>(string name, long[] shape, T[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data is byte[][] items)
        {
            return FromByteArrays(name, shape, items);
        }

        return Wrap(name, TensorDataTypes.Of<T>(), shape, data);
    }

    /// <summary>Wraps an array whose element type must be <paramref name="dataType"/>'s CLR type (<c>byte[]</c> for BYTES).</summary>
    public static Tensor Create(string name, TensorDataType dataType, long[] shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetType().GetElementType() != dataType.ElementType() || data.Rank != 1)
        {
            throw new ArgumentException($"Tensor '{name}' is {dataType.ToProtocolName()} but the array holds {data.GetType().GetElementType()?.Name}.", nameof(data));
        }

        return dataType == TensorDataType.Bytes ? FromByteArrays(name, shape, (byte[][])data) : Wrap(name, dataType, shape, data);
    }

    /// <summary>Creates a numeric tensor whose storage is rented from the shared pool and returned on dispose.</summary>
    public static Tensor Rent<T>(string name, long[] shape)
        where T : unmanaged
    {
        var type = TensorDataTypes.Of<T>();
        var bytes = checked(CountElements(shape) * type.ElementSize());
        return FromPooled(name, type, shape, ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1)), bytes);
    }

    /// <summary>A BYTES tensor holding UTF-8 strings.</summary>
    public static Tensor FromStrings(string name, long[] shape, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var builder = new BytesTensorBuilder(values.Sum(v => v.Length + 4));
        foreach (var value in values)
        {
            var target = builder.Reserve(System.Text.Encoding.UTF8.GetByteCount(value));
            System.Text.Encoding.UTF8.GetBytes(value, target);
        }

        return builder.Build(name, shape);
    }

    /// <summary>A tensor over bytes already in raw form, without copying them.</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="dataType">Element type.</param>
    /// <param name="shape">Shape; the bytes must hold exactly its element count.</param>
    /// <param name="bytes">The raw bytes; borrowed, so they must outlive the tensor unless <paramref name="owner"/> owns them.</param>
    /// <param name="owner">Disposed when the tensor and all its slices are; null when the memory is borrowed.</param>
    /// <exception cref="ArgumentException">The length does not fit the shape, or BYTES elements overrun or leave bytes over.</exception>
    public static Tensor FromBytes(string name, TensorDataType dataType, long[] shape, ReadOnlyMemory<byte> bytes, IDisposable? owner = null)
    {
        var count = CountElements(shape);
        int[]? offsets = null;
        if (dataType == TensorDataType.Bytes)
        {
            offsets = ScanBytes(name, bytes.Span, count);
        }
        else if ((long)count * dataType.ElementSize() != bytes.Length)
        {
            throw new ArgumentException($"Tensor '{name}' is {dataType.ToProtocolName()} [{string.Join(", ", shape)}], which takes {(long)count * dataType.ElementSize()} bytes, but {bytes.Length} were given.", nameof(bytes));
        }

        var storage = owner is null ? null : new TensorStorage(owner.Dispose);
        return new Tensor(name, dataType, shape, count, MemoryMarshal.AsMemory(bytes), storage, offsets);
    }

    /// <summary>A tensor over a rented buffer that it returns to <see cref="ArrayPool{T}.Shared"/>.</summary>
    internal static Tensor FromPooled(string name, TensorDataType dataType, long[] shape, byte[] buffer, int length)
    {
        var count = CountElements(shape);
        var storage = new TensorStorage(() => ArrayPool<byte>.Shared.Return(buffer));
        return new Tensor(name, dataType, shape, count, buffer.AsMemory(0, length), storage, null);
    }

    /// <summary>The elements as a typed span over the bytes; throws when <typeparamref name="T"/> is not this tensor's element type.</summary>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        if (ElementTypeOf<T>.Type != DataType)
        {
            throw new InvalidOperationException($"Tensor '{Name}' holds {DataType.ToProtocolName()}, not {typeof(T).Name}.");
        }

        return MemoryMarshal.Cast<byte, T>(_memory.Span);
    }

    /// <summary>BYTES element <paramref name="index"/> (without its length prefix).</summary>
    public ReadOnlySpan<byte> GetBytes(int index) => GetBytesMemory(index).Span;

    /// <summary>BYTES element <paramref name="index"/> as memory (without its length prefix).</summary>
    public ReadOnlyMemory<byte> GetBytesMemory(int index)
    {
        var offsets = Offsets();
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ElementCount);
        var start = offsets[index] + 4;
        return _memory[start..offsets[index + 1]];
    }

    /// <summary>The BYTES elements in order.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> EnumerateBytes()
    {
        Offsets();
        for (var i = 0; i < ElementCount; i++)
        {
            yield return GetBytesMemory(i);
        }
    }

    /// <summary>Rows <paramref name="firstRow"/> .. <paramref name="firstRow"/> + <paramref name="rows"/> - 1 of the
    /// first dimension, sharing this tensor's memory; the memory is released once both are disposed.</summary>
    public Tensor Slice(int firstRow, int rows)
    {
        if (Shape.Length == 0)
        {
            throw new InvalidOperationException($"Tensor '{Name}' is a scalar; it has no rows to slice.");
        }

        var total = Shape[0];
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)firstRow + rows, total, nameof(rows));
        var perRow = total == 0 ? 0 : ElementCount / (int)total;
        var shape = (long[])Shape.Clone();
        shape[0] = rows;
        Memory<byte> memory;
        if (DataType == TensorDataType.Bytes)
        {
            var offsets = Offsets();
            memory = _memory[offsets[firstRow * perRow]..offsets[(firstRow + rows) * perRow]];
        }
        else
        {
            var size = DataType.ElementSize();
            memory = _memory.Slice(firstRow * perRow * size, rows * perRow * size);
        }

        _storage?.AddReference();
        return new Tensor(Name, DataType, shape, rows * perRow, memory, _storage, null);
    }

    /// <summary>Joins tensors of one type and equal trailing dimensions along the first dimension, into pooled memory.</summary>
    public static Tensor Concatenate(string name, IReadOnlyList<Tensor> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0 || parts[0].Shape.Length == 0)
        {
            throw new ArgumentException("Concatenation needs at least one tensor of rank 1 or more.", nameof(parts));
        }

        var first = parts[0];
        long rows = 0;
        var bytes = 0;
        foreach (var part in parts)
        {
            if (part.DataType != first.DataType || part.Shape.Length != first.Shape.Length || !part.Shape.AsSpan(1).SequenceEqual(first.Shape.AsSpan(1)))
            {
                throw new ArgumentException($"Tensor '{part.Name}' [{string.Join(", ", part.Shape)}] cannot be joined to [{string.Join(", ", first.Shape)}] {first.DataType.ToProtocolName()}.", nameof(parts));
            }

            rows += part.Shape[0];
            bytes = checked(bytes + part.ByteLength);
        }

        var shape = (long[])first.Shape.Clone();
        shape[0] = rows;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        var offset = 0;
        foreach (var part in parts)
        {
            part._memory.Span.CopyTo(buffer.AsSpan(offset));
            offset += part.ByteLength;
        }

        return FromPooled(name, first.DataType, shape, buffer, bytes);
    }

    /// <summary>Product of the dimensions; throws on a negative dimension or more than <see cref="int.MaxValue"/> elements.</summary>
    public static int CountElements(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException("A tensor shape cannot have a negative dimension.", nameof(shape));
            }

            count = checked(count * dim);
            if (count > int.MaxValue)
            {
                throw new ArgumentException("A tensor cannot have more than 2^31-1 elements.", nameof(shape));
            }
        }

        return (int)count;
    }

    /// <summary>Releases this tensor's hold on its memory (rented memory goes back to the pool once no slice holds
    /// it); safe to call more than once. Wrapped arrays and borrowed memory without an owner are left alone.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _storage is not null)
        {
            _memory = default;
            _storage.Release();
        }
    }

    private static Tensor Wrap(string name, TensorDataType type, long[] shape, Array data)
    {
        var count = CountElements(shape);
        if (data.Length < count)
        {
            throw new ArgumentException($"Tensor '{name}' needs {count} elements but {data.Length} were given.", nameof(data));
        }

        var bytes = checked(count * type.ElementSize());
        var memory = bytes == 0 ? Memory<byte>.Empty : new ArrayMemoryManager(data, bytes).Memory;
        return new Tensor(name, type, shape, count, memory, null, null);
    }

    private static Tensor FromByteArrays(string name, long[] shape, byte[][] items)
    {
        var count = CountElements(shape);
        if (items.Length < count)
        {
            throw new ArgumentException($"Tensor '{name}' needs {count} elements but {items.Length} were given.", nameof(items));
        }

        var total = 0;
        for (var i = 0; i < count; i++)
        {
            total = checked(total + 4 + (items[i]?.Length ?? throw new ArgumentException($"Element {i} of tensor '{name}' is null.", nameof(items))));
        }

        using var builder = new BytesTensorBuilder(total);
        for (var i = 0; i < count; i++)
        {
            builder.Add(items[i]);
        }

        return builder.Build(name, shape);
    }

    private int[] Offsets()
    {
        if (DataType != TensorDataType.Bytes)
        {
            throw new InvalidOperationException($"Tensor '{Name}' holds {DataType.ToProtocolName()}, not BYTES.");
        }

        // Two threads may both compute it; they compute the same array.
        return _offsets ??= ScanBytes(Name, _memory.Span, ElementCount);
    }

    /// <summary>Start of each element's length prefix, plus the end; throws unless exactly <paramref name="count"/>
    /// elements fill <paramref name="bytes"/>.</summary>
    private static int[] ScanBytes(string name, ReadOnlySpan<byte> bytes, int count)
    {
        var offsets = new int[count + 1];
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            offsets[i] = position;
            if (bytes.Length - position < 4)
            {
                throw new ArgumentException($"BYTES tensor '{name}' ends inside the length of element {i} of {count}.", nameof(bytes));
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]);
            if (length > (uint)(bytes.Length - position - 4))
            {
                throw new ArgumentException($"BYTES tensor '{name}': element {i} declares {length} bytes but only {bytes.Length - position - 4} follow.", nameof(bytes));
            }

            position += 4 + (int)length;
        }

        if (position != bytes.Length)
        {
            throw new ArgumentException($"BYTES tensor '{name}' holds {bytes.Length - position} bytes after its {count} elements.", nameof(bytes));
        }

        offsets[count] = position;
        return offsets;
    }

    private static class ElementTypeOf<T>
    {
        public static readonly TensorDataType? Type = TensorDataTypes.TryOf(typeof(T), out var type) ? type : null;
    }
}
