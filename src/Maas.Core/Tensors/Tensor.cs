using System.Buffers;

namespace Maas.Core.Tensors;

/// <summary>A named tensor: element type, shape and the elements in row-major order.</summary>
/// <remarks>
/// <see cref="Data"/> is a typed array (<c>float[]</c>, <c>Half[]</c>, <c>byte[][]</c> for BYTES ...) that may be
/// longer than <see cref="ElementCount"/> when it was rented from <see cref="ArrayPool{T}"/>; only the first
/// <see cref="ElementCount"/> elements are meaningful. A tensor created with <see cref="Rent{T}"/> returns its
/// array to the pool on <see cref="Dispose"/>; other tensors ignore it.
/// </remarks>
public sealed class Tensor : IDisposable
{
    private Action? _release;

    private Tensor(string name, TensorDataType dataType, long[] shape, Array data, int elementCount, Action? release)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
        ElementCount = elementCount;
        _release = release;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public long[] Shape { get; }

    public Array Data { get; }

    public int ElementCount { get; }

    /// <summary>Wraps an existing array; its length must be at least the element count of <paramref name="shape"/>.</summary>
    public static Tensor Create<T>(string name, long[] shape, T[] data)
    {
        var count = CountElements(shape);
        if (data.Length < count)
        {
            throw new ArgumentException($"Tensor '{name}' needs {count} elements but {data.Length} were given.", nameof(data));
        }

        return new Tensor(name, TensorDataTypes.Of<T>(), shape, data, count, null);
    }

    /// <summary>Wraps an array whose element type must be <paramref name="dataType"/>'s CLR type.</summary>
    public static Tensor Create(string name, TensorDataType dataType, long[] shape, Array data)
    {
        if (data.GetType().GetElementType() != dataType.ElementType())
        {
            throw new ArgumentException($"Tensor '{name}' is {dataType.ToProtocolName()} but the array holds {data.GetType().GetElementType()?.Name}.", nameof(data));
        }

        var count = CountElements(shape);
        if (data.Length < count)
        {
            throw new ArgumentException($"Tensor '{name}' needs {count} elements but {data.Length} were given.", nameof(data));
        }

        return new Tensor(name, dataType, shape, data, count, null);
    }

    /// <summary>Creates a tensor whose storage is rented from the shared pool and returned on dispose.</summary>
    public static Tensor Rent<T>(string name, long[] shape)
    {
        var count = CountElements(shape);
        var array = ArrayPool<T>.Shared.Rent(Math.Max(count, 1));
        return new Tensor(name, TensorDataTypes.Of<T>(), shape, array, count, () => ArrayPool<T>.Shared.Return(array));
    }

    /// <summary>A BYTES tensor holding UTF-8 strings.</summary>
    public static Tensor FromStrings(string name, long[] shape, IReadOnlyList<string> values)
    {
        var data = new byte[values.Count][];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = System.Text.Encoding.UTF8.GetBytes(values[i]);
        }

        return Create(name, shape, data);
    }

    /// <summary>The elements as a span; throws when <typeparamref name="T"/> is not this tensor's element type.</summary>
    public Span<T> AsSpan<T>() => Data is T[] typed
        ? typed.AsSpan(0, ElementCount)
        : throw new InvalidOperationException($"Tensor '{Name}' holds {DataType.ToProtocolName()}, not {typeof(T).Name}.");

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

    /// <summary>Returns rented storage to its pool; safe to call more than once.</summary>
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
