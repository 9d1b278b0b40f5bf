using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

public sealed class GgufReaderCorruptInputTests
{
    [Fact]
    public void Read_EmptyFile_ThrowsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read([]));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BadMagic_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Small();
        bytes[0] = (byte)'X';

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0x03000000u)]
    public void Read_UnsupportedVersion_ThrowsInvalidData(uint version)
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(GgufTestFiles.Header(version, 0, 0)));

        Assert.Contains($"version {version}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedAtEveryLength_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Small();

        // Padding after the last tensor is not needed, so a cut there leaves a valid file.
        var file = GgufTestFiles.Read(bytes);
        var needed = file.Tensors.Max(t => file.DataOffset + t.Offset + t.ByteSize);
        Assert.True(needed < bytes.Length);
        for (var length = 1; length < needed; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            var error = Record.Exception(() => GgufTestFiles.Read(prefix));
            Assert.True(error is InvalidDataException, $"length {length}: {error?.GetType().Name ?? "no exception"}");
        }
    }

    [Fact]
    public void Read_RandomByteCorruption_ThrowsOnlyInvalidData()
    {
        var original = GgufTestFiles.Small();
        var random = new Random(7);

        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var error = Record.Exception(() => GgufTestFiles.Read(bytes));
            Assert.True(error is null or InvalidDataException, $"case {i}: {error}");
        }
    }

    [Theory]
    [InlineData(ulong.MaxValue, 0ul)]
    [InlineData(1ul << 40, 0ul)]
    [InlineData(0ul, ulong.MaxValue)]
    [InlineData(0ul, 1ul << 33)]
    public void Read_HugeCounts_ThrowsInvalidData(ulong tensorCount, ulong metadataCount)
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(GgufTestFiles.Header(3, tensorCount, metadataCount)));

        Assert.Contains("count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeStringLength_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Header(3, 0, 1, w =>
        {
            GgufTestFiles.WriteString(w, "k");
            w.Write((uint)GgufValueType.String);
            w.Write(ulong.MaxValue - 1);
            w.Write("abc"u8);
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("'k'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GgufValueType.String, 1ul << 60)]
    [InlineData(GgufValueType.UInt8, 1000ul)]
    [InlineData(GgufValueType.Float64, (ulong)int.MaxValue + 1)]
    [InlineData(GgufValueType.Array, 100ul)]
    public void Read_HugeArrayCount_ThrowsInvalidData(GgufValueType elementType, ulong count)
    {
        var bytes = GgufTestFiles.Header(3, 0, 1, w =>
        {
            GgufTestFiles.WriteString(w, "arr");
            w.Write((uint)GgufValueType.Array);
            w.Write((uint)elementType);
            w.Write(count);
            w.Write(new byte[64]);
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("'arr'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownValueType_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Header(3, 0, 1, w =>
        {
            GgufTestFiles.WriteString(w, "odd");
            w.Write(13u);
            w.Write(0ul);
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("unknown value type 13", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownArrayElementType_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Header(3, 0, 1, w =>
        {
            GgufTestFiles.WriteString(w, "odd");
            w.Write((uint)GgufValueType.Array);
            w.Write(99u);
            w.Write(1ul);
            w.Write(0ul);
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("unknown element type 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateKey_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Header(3, 0, 2, w =>
        {
            for (var i = 0; i < 2; i++)
            {
                GgufTestFiles.WriteString(w, "dup");
                w.Write((uint)GgufValueType.UInt8);
                w.Write((byte)1);
            }
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("'dup' appears twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(48u)]
    public void Read_AlignmentNotPowerOfTwo_ThrowsInvalidData(uint alignment)
    {
        var bytes = GgufTestFiles.Header(3, 0, 1, w =>
        {
            GgufTestFiles.WriteString(w, GgufKeys.Alignment);
            w.Write((uint)GgufValueType.UInt32);
            w.Write(alignment);
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains(GgufKeys.Alignment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownTensorType_ThrowsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(OneTensor(4, 99, 0, dataBytes: 64)));

        Assert.Contains("unknown ggml type 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TooManyDimensions_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Header(3, 1, 0, w =>
        {
            GgufTestFiles.WriteString(w, "t");
            w.Write(5u);
            w.Write(new byte[64]);
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("5 dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TensorDataPastEnd_ThrowsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(OneTensor(100, (uint)GgmlType.F32, 0, dataBytes: 64)));

        Assert.Contains("past the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TensorOffsetPastEnd_ThrowsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(OneTensor(1, (uint)GgmlType.F32, 1ul << 62, dataBytes: 64)));

        Assert.Contains("past the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MisalignedTensorOffset_ThrowsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(OneTensor(1, (uint)GgmlType.F32, 4, dataBytes: 64)));

        Assert.Contains("alignment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_QuantizedRowNotWholeBlocks_ThrowsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(OneTensor(33, (uint)GgmlType.Q4_0, 0, dataBytes: 64)));

        Assert.Contains("block size 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeDimensions_ThrowsInvalidData()
    {
        var bytes = GgufTestFiles.Header(3, 1, 0, w =>
        {
            GgufTestFiles.WriteString(w, "t");
            w.Write(2u);
            w.Write(1ul << 40);
            w.Write(1ul << 40);
            w.Write((uint)GgmlType.F32);
            w.Write(0ul);
        });

        var error = Assert.Throws<InvalidDataException>(() => GgufTestFiles.Read(bytes));

        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonSeekableStream_ThrowsArgument()
    {
        using var stream = new NonSeekableStream(GgufTestFiles.Small());

        Assert.Throws<ArgumentException>(() => GgufReader.Read(stream));
    }

    /// <summary>A file with one 1-D tensor of <paramref name="length"/> elements followed by <paramref name="dataBytes"/> of data.</summary>
    private static byte[] OneTensor(ulong length, uint type, ulong offset, int dataBytes)
    {
        var header = GgufTestFiles.Header(3, 1, 0, w =>
        {
            GgufTestFiles.WriteString(w, "t");
            w.Write(1u);
            w.Write(length);
            w.Write(type);
            w.Write(offset);
        });
        var padded = new byte[GgufReader.AlignUp(header.Length, 32) + dataBytes];
        header.CopyTo(padded, 0);
        return padded;
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
