using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Maas.Core.Tensors;

namespace Maas.UnitTests.Core.Tensors;

public sealed class TensorTests
{
    [Fact]
    public void Create_TypedArray_ViewsSameMemoryWithoutCopy()
    {
        var data = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        using var tensor = Tensor.Create("x", [2, 3], data);

        data[4] = 42f;
        tensor.AsSpan<float>()[0] = -1f;

        Assert.Equal(42f, tensor.AsSpan<float>()[4]);
        Assert.Equal(-1f, data[0]);
        Assert.Equal(24, tensor.ByteLength);
        Assert.Equal(BitConverter.GetBytes(42f), tensor.Memory.Slice(16, 4).ToArray());
    }

    [Fact]
    public void AsSpan_WrongElementType_Throws()
    {
        using var tensor = Tensor.Create("x", [2], new[] { 1, 2 });

        Assert.Throws<InvalidOperationException>(() => tensor.AsSpan<float>());
        Assert.Throws<InvalidOperationException>(() => tensor.AsSpan<uint>());
    }

    [Fact]
    public void FromBytes_RawBuffer_IsSameMemory()
    {
        var raw = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(raw, 7);
        BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(4), -8);
        BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(8), 9);

        using var tensor = Tensor.FromBytes("x", TensorDataType.Int32, [3], raw.AsMemory());

        Assert.Equal([7, -8, 9], tensor.AsSpan<int>().ToArray());
        Assert.True(MemoryMarshal.TryGetArray(tensor.Memory, out var segment));
        Assert.Same(raw, segment.Array);
        raw[0] = 100;
        Assert.Equal(100, tensor.AsSpan<int>()[0]);
    }

    [Fact]
    public void FromBytes_LengthNotMatchingShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromBytes("x", TensorDataType.Fp32, [3], new byte[8]));
        Assert.Throws<ArgumentException>(() => Tensor.FromBytes("x", TensorDataType.Fp16, [2], new byte[5]));
    }

    [Fact]
    public void FromBytes_WithOwner_DisposesOwnerAfterLastSlice()
    {
        var owner = new CountingOwner();
        var tensor = Tensor.FromBytes("x", TensorDataType.Int64, [4, 1], new byte[32], owner);
        var slice = tensor.Slice(1, 2);

        tensor.Dispose();
        Assert.Equal(0, owner.Disposed);
        slice.Dispose();
        slice.Dispose();
        Assert.Equal(1, owner.Disposed);
    }

    [Fact]
    public void Slice_Rows_SharesMemoryAndKeepsTrailingDimensions()
    {
        var data = Enumerable.Range(0, 12).Select(i => (double)i).ToArray();
        using var tensor = Tensor.Create("x", [4, 3], data);

        using var slice = tensor.Slice(1, 2);

        Assert.Equal([2L, 3L], slice.Shape);
        Assert.Equal(6, slice.ElementCount);
        Assert.Equal([3d, 4, 5, 6, 7, 8], slice.AsSpan<double>().ToArray());
        slice.AsSpan<double>()[0] = -3;
        Assert.Equal(-3, data[3]);
    }

    [Fact]
    public void Slice_BeyondRows_Throws()
    {
        using var tensor = Tensor.Create("x", [2, 2], new[] { 1, 2, 3, 4 });

        Assert.Throws<ArgumentOutOfRangeException>(() => tensor.Slice(1, 2));
    }

    [Fact]
    public void Slice_BytesRows_SplitsElements()
    {
        using var tensor = Tensor.FromStrings("t", [3, 2], ["a", "bb", "", "dddd", "é", "f"]);

        using var middle = tensor.Slice(1, 1);
        using var last = tensor.Slice(2, 1);

        Assert.Equal(["", "dddd"], middle.EnumerateBytes().Select(b => Encoding.UTF8.GetString(b.Span)).ToArray());
        Assert.Equal("é", Encoding.UTF8.GetString(last.GetBytes(0)));
        Assert.Equal(4 + 0 + 4 + 4, middle.ByteLength);
    }

    [Fact]
    public void FromStrings_RawForm_IsLengthPrefixedLittleEndian()
    {
        using var tensor = Tensor.FromStrings("t", [2], ["hi", "é"]);

        Assert.Equal(new byte[] { 2, 0, 0, 0, (byte)'h', (byte)'i', 2, 0, 0, 0, 0xC3, 0xA9 }, tensor.Memory.ToArray());
    }

    [Fact]
    public void FromBytes_BytesRawForm_RoundTripsElements()
    {
        byte[][] items = [[1, 2, 3], [], [0xFF]];
        using var original = Tensor.Create("b", [3], items);

        using var copy = Tensor.FromBytes("b", TensorDataType.Bytes, [3], original.Memory.ToArray());

        Assert.Equal(TensorDataType.Bytes, copy.DataType);
        Assert.Equal(items, copy.EnumerateBytes().Select(b => b.ToArray()).ToArray());
        Assert.Equal(items[2], copy.GetBytes(2).ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 5, 0, 0, 0, 1, 2 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 9, 1, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 9, 1, 0, 0, 0, 8, 7 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    public void FromBytes_MalformedBytesRawForm_Throws(byte[] raw)
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromBytes("b", TensorDataType.Bytes, [raw.Length > 7 ? 2 : 1], raw));
    }

    [Fact]
    public void GetBytes_NumericTensor_Throws()
    {
        using var tensor = Tensor.Create("x", [1], new[] { 1f });

        Assert.Throws<InvalidOperationException>(() => tensor.GetBytes(0).Length);
    }

    [Fact]
    public void Rent_Dispose_ReturnsBufferToPool()
    {
        var pool = ArrayPool<byte>.Shared;
        var tensor = Tensor.Rent<float>("x", [1000]);
        Assert.True(MemoryMarshal.TryGetArray(tensor.Memory, out var rented));
        tensor.Dispose();

        // The shared pool hands the most recently returned array of a size class back on this thread.
        var again = pool.Rent(4000);
        try
        {
            Assert.Same(rented.Array, again);
        }
        finally
        {
            pool.Return(again);
        }

        Assert.Equal(0, tensor.ByteLength);
    }

    [Fact]
    public void Rent_SliceOutlivesParent_BufferReturnedOnlyAfterSlice()
    {
        var tensor = Tensor.Rent<int>("x", [4, 256]);
        Assert.True(MemoryMarshal.TryGetArray(tensor.Memory, out var rented));
        var slice = tensor.Slice(3, 1);
        tensor.Dispose();

        var other = ArrayPool<byte>.Shared.Rent(4096);
        Assert.NotSame(rented.Array, other);
        ArrayPool<byte>.Shared.Return(other);
        slice.AsSpan<int>().Fill(5);
        slice.Dispose();

        var again = ArrayPool<byte>.Shared.Rent(4096);
        Assert.Same(rented.Array, again);
        ArrayPool<byte>.Shared.Return(again);
    }

    [Fact]
    public void Concatenate_Parts_JoinsAlongFirstDimension()
    {
        using var a = Tensor.Create("x", [1, 2], new[] { 1L, 2 });
        using var b = Tensor.Create("x", [2, 2], new[] { 3L, 4, 5, 6 });

        using var joined = Tensor.Concatenate("x", [a, b]);

        Assert.Equal([3L, 2L], joined.Shape);
        Assert.Equal([1L, 2, 3, 4, 5, 6], joined.AsSpan<long>().ToArray());
    }

    [Fact]
    public void Concatenate_BytesParts_KeepsEveryElement()
    {
        using var a = Tensor.FromStrings("t", [1], ["one"]);
        using var b = Tensor.FromStrings("t", [2], ["two", "three"]);

        using var joined = Tensor.Concatenate("t", [a, b]);

        Assert.Equal(["one", "two", "three"], joined.EnumerateBytes().Select(m => Encoding.UTF8.GetString(m.Span)).ToArray());
    }

    [Fact]
    public void Concatenate_MismatchedTrailingDimensions_Throws()
    {
        using var a = Tensor.Create("x", [1, 2], new[] { 1, 2 });
        using var b = Tensor.Create("x", [1, 3], new[] { 3, 4, 5 });

        Assert.Throws<ArgumentException>(() => Tensor.Concatenate("x", [a, b]));
    }

    [Fact]
    public void Create_ArrayOfOtherType_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Create("x", TensorDataType.Fp32, [2], new[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => Tensor.Create("x", [3], new[] { 1, 2 }));
    }

    [Fact]
    public void Create_HalfArray_ViewsAsFp16()
    {
        using var tensor = Tensor.Create("h", TensorDataType.Fp16, [2], new[] { (Half)1.5, (Half)(-2) });

        Assert.Equal(4, tensor.ByteLength);
        Assert.Equal((Half)(-2), tensor.AsSpan<Half>()[1]);
    }

    private sealed class CountingOwner : IDisposable
    {
        public int Disposed { get; private set; }

        public void Dispose() => Disposed++;
    }
}
