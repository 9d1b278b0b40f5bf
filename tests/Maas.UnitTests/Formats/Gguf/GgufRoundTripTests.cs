using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

public sealed class GgufRoundTripTests
{
    [Fact]
    public void Read_EveryScalarType_ReturnsWrittenValuesInOrder()
    {
        var writer = new GgufWriter()
            .SetUInt8("u8", 200)
            .SetInt8("i8", -100)
            .SetUInt16("u16", 60000)
            .SetInt16("i16", -30000)
            .SetUInt32("u32", 4_000_000_000)
            .SetInt32("i32", -2_000_000_000)
            .SetFloat32("f32", 1.25f)
            .SetBool("bool", true)
            .SetString("string", "héllo ▁wörld")
            .SetUInt64("u64", ulong.MaxValue)
            .SetInt64("i64", long.MinValue)
            .SetFloat64("f64", -2.5e300);

        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(writer));

        Assert.Equal(3u, file.Version);
        Assert.Equal(["u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "u64", "i64", "f64"], file.Metadata.Keys);
        Assert.Equal((byte)200, file.Metadata["u8"].Value);
        Assert.Equal((sbyte)-100, file.Metadata["i8"].Value);
        Assert.Equal((ushort)60000, file.Metadata["u16"].Value);
        Assert.Equal((short)-30000, file.Metadata["i16"].Value);
        Assert.Equal(4_000_000_000u, file.Metadata["u32"].Value);
        Assert.Equal(-2_000_000_000, file.Metadata["i32"].Value);
        Assert.Equal(1.25f, file.Metadata["f32"].Value);
        Assert.Equal(true, file.Metadata["bool"].Value);
        Assert.Equal("héllo ▁wörld", file.GetString("string"));
        Assert.Equal(ulong.MaxValue, file.Metadata["u64"].Value);
        Assert.Equal(long.MinValue, file.GetInt64("i64"));
        Assert.Equal(-2.5e300, file.Metadata["f64"].Value);
        Assert.Equal(GgufValueType.Float64, file.Metadata["f64"].Type);
    }

    [Fact]
    public void Read_EveryArrayType_ReturnsWrittenElements()
    {
        var nested = GgufValue.ArrayOf([GgufValue.ArrayOf(new[] { 1, 2 }), GgufValue.ArrayOf(new[] { "x" })]);
        var writer = new GgufWriter()
            .Set("u8", GgufValue.ArrayOf(new byte[] { 1, 255 }))
            .Set("i8", GgufValue.ArrayOf(new sbyte[] { -1, 127 }))
            .Set("u16", GgufValue.ArrayOf(new ushort[] { 65535 }))
            .Set("i16", GgufValue.ArrayOf(new short[] { -5, 5 }))
            .Set("u32", GgufValue.ArrayOf(new uint[] { 7 }))
            .SetInt32Array("i32", [-1, 0, 1])
            .SetFloat32Array("f32", [0.5f, -0.25f])
            .Set("bool", GgufValue.ArrayOf(new[] { true, false }))
            .SetStringArray("string", ["a", "", "▁b"])
            .Set("u64", GgufValue.ArrayOf(new ulong[] { ulong.MaxValue }))
            .Set("i64", GgufValue.ArrayOf(new long[] { -9 }))
            .Set("f64", GgufValue.ArrayOf(new[] { 1e-300 }))
            .Set("empty", GgufValue.ArrayOf(Array.Empty<int>()))
            .Set("nested", nested);

        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(writer));

        Assert.Equal(new byte[] { 1, 255 }, file.Metadata["u8"].AsArray<byte>());
        Assert.Equal(new sbyte[] { -1, 127 }, file.Metadata["i8"].AsArray<sbyte>());
        Assert.Equal(new ushort[] { 65535 }, file.Metadata["u16"].AsArray<ushort>());
        Assert.Equal(new short[] { -5, 5 }, file.Metadata["i16"].AsArray<short>());
        Assert.Equal(new uint[] { 7 }, file.Metadata["u32"].AsArray<uint>());
        Assert.Equal(new[] { -1, 0, 1 }, file.Metadata["i32"].AsArray<int>());
        Assert.Equal(new[] { 0.5f, -0.25f }, file.Metadata["f32"].AsArray<float>());
        Assert.Equal(new[] { true, false }, file.Metadata["bool"].AsArray<bool>());
        Assert.Equal(new[] { "a", "", "▁b" }, file.Metadata["string"].AsArray<string>());
        Assert.Equal(new[] { ulong.MaxValue }, file.Metadata["u64"].AsArray<ulong>());
        Assert.Equal(new long[] { -9 }, file.Metadata["i64"].AsArray<long>());
        Assert.Equal(new[] { 1e-300 }, file.Metadata["f64"].AsArray<double>());
        Assert.Equal(0, file.Metadata["empty"].ArrayLength);
        Assert.Equal(GgufValueType.Int32, file.Metadata["empty"].ElementType);
        var inner = file.Metadata["nested"].AsArray<GgufValue>()!;
        Assert.Equal(GgufValueType.Array, file.Metadata["nested"].ElementType);
        Assert.Equal(new[] { 1, 2 }, inner[0].AsArray<int>());
        Assert.Equal(new[] { "x" }, inner[1].AsArray<string>());
    }

    [Fact]
    public void Read_Tensors_ReturnsShapesTypesSizesAndAlignedOffsetsOfWrittenData()
    {
        var q4 = Enumerable.Range(0, 2 * 18).Select(i => (byte)i).ToArray();
        var writer = new GgufWriter()
            .AddF32Tensor("a", [3], [1f, 2f, 3f])
            .AddF16Tensor("b", [2, 2], [0.5f, 1f, 1.5f, 2f])
            .AddTensor("c", [32, 2], GgmlType.Q4_0, q4);
        var bytes = GgufTestFiles.ToBytes(writer);

        var file = GgufTestFiles.Read(bytes);

        Assert.Equal(["a", "b", "c"], file.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 32, 2 }, file.Tensors[2].Dimensions);
        Assert.Equal([GgmlType.F32, GgmlType.F16, GgmlType.Q4_0], file.Tensors.Select(t => t.Type));
        Assert.Equal([12L, 8L, 36L], file.Tensors.Select(t => t.ByteSize));
        Assert.Equal([3L, 4L, 64L], file.Tensors.Select(t => t.ElementCount));
        Assert.Equal([0L, 32L, 64L], file.Tensors.Select(t => t.Offset));
        Assert.Equal(0, file.DataOffset % 32);
        Assert.Equal(bytes.Length, file.FileLength);
        var c = file.Tensors[2];
        Assert.Equal(q4, bytes.AsSpan((int)(file.DataOffset + c.Offset), (int)c.ByteSize).ToArray());
        var b = file.Tensors[1];
        Assert.Equal((Half)1.5f, BitConverter.ToHalf(bytes, (int)(file.DataOffset + b.Offset + 4)));
    }

    [Fact]
    public void Write_CustomAlignment_AlignsDataSectionAndEveryTensor()
    {
        var writer = new GgufWriter()
            .SetUInt32(GgufKeys.Alignment, 256)
            .AddF32Tensor("a", [5], new float[5])
            .AddF32Tensor("b", [70], new float[70]);

        var bytes = GgufTestFiles.ToBytes(writer);
        var file = GgufTestFiles.Read(bytes);

        Assert.Equal(256, file.Alignment);
        Assert.Equal(0, file.DataOffset % 256);
        Assert.All(file.Tensors, t => Assert.Equal(0, t.Offset % 256));
        Assert.Equal(256L, file.Tensors[1].Offset);
        Assert.Equal(0, bytes.Length % 256);
    }

    [Fact]
    public void Write_NoAlignmentKey_UsesDefault32()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.Small());

        Assert.Equal(GgufReader.DefaultAlignment, file.Alignment);
        Assert.Equal(0, file.DataOffset % 32);
    }

    [Fact]
    public void Write_SetKeyTwice_ReplacesValueInPlace()
    {
        var writer = new GgufWriter().SetString("a", "1").SetString("b", "2").SetInt32("a", 3);

        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(writer));

        Assert.Equal(["a", "b"], file.Metadata.Keys);
        Assert.Equal(3L, file.GetInt64("a"));
    }

    [Fact]
    public void AddTensor_WrongByteCount_Throws()
    {
        var writer = new GgufWriter();

        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", [32], GgmlType.Q8_0, new byte[33]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", [31], GgmlType.Q8_0, new byte[34]));
    }

    [Fact]
    public void Read_LargeFile_ReadsOnlyTheHeader()
    {
        using var folder = new TempModelFolder();
        var path = folder.File("big.gguf");
        const long tensorBytes = 200L * 1024 * 1024;
        var header = GgufTestFiles.Header(3, 1, 0, w =>
        {
            GgufTestFiles.WriteString(w, "big");
            w.Write(1u);
            w.Write((ulong)tensorBytes);
            w.Write((uint)GgmlType.I8);
            w.Write(0ul);
        });
        using (var output = File.Create(path))
        {
            output.Write(header);

            // Sparse: the data section exists as far as the length goes without writing 200 MB.
            output.SetLength(GgufReader.AlignUp(header.Length, 32) + tensorBytes);
        }

        using var counting = new ReadCountingStream(File.OpenRead(path));
        var file = GgufReader.Read(counting);

        Assert.Equal(tensorBytes, Assert.Single(file.Tensors).ByteSize);
        Assert.True(counting.BytesRead < 4096, $"read {counting.BytesRead} bytes");
        Assert.Equal("big", GgufReader.Read(path).Tensors[0].Name);
    }

    [Theory]
    [InlineData(GgmlType.F32, 1, 4)]
    [InlineData(GgmlType.F16, 1, 2)]
    [InlineData(GgmlType.BF16, 1, 2)]
    [InlineData(GgmlType.Q4_0, 32, 18)]
    [InlineData(GgmlType.Q4_1, 32, 20)]
    [InlineData(GgmlType.Q5_0, 32, 22)]
    [InlineData(GgmlType.Q5_1, 32, 24)]
    [InlineData(GgmlType.Q8_0, 32, 34)]
    [InlineData(GgmlType.Q8_1, 32, 36)]
    [InlineData(GgmlType.Q2_K, 256, 84)]
    [InlineData(GgmlType.Q3_K, 256, 110)]
    [InlineData(GgmlType.Q4_K, 256, 144)]
    [InlineData(GgmlType.Q5_K, 256, 176)]
    [InlineData(GgmlType.Q6_K, 256, 210)]
    [InlineData(GgmlType.Q8_K, 256, 292)]
    public void ByteSize_KnownType_UsesBlockLayout(GgmlType type, int blockSize, int blockBytes)
    {
        Assert.Equal((blockSize, blockBytes), (GgmlTypes.BlockSize(type), GgmlTypes.BlockBytes(type)));
        Assert.Equal(3L * 2 * blockBytes, GgmlTypes.ByteSize(type, [2L * blockSize, 3]));
    }
}
