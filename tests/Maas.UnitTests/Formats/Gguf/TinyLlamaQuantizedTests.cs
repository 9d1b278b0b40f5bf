using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

/// <summary>The generator's directly written Q8_0 / Q4_0 models: block layout, scale, determinism, padded vocabulary.</summary>
public sealed class TinyLlamaQuantizedTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "maas-quantized-gguf-" + Guid.NewGuid().ToString("N"));

    public TinyLlamaQuantizedTests() => Directory.CreateDirectory(_folder);

    internal static TinyLlamaOptions Small(GgmlType type) => new()
    {
        EmbeddingLength = 64,
        HeadCount = 4,
        HeadCountKv = 2,
        FeedForwardLength = 128,
        BlockCount = 2,
        VocabularySize = 1500,
        TiedEmbeddings = true,
        WeightType = type,
        Seed = 3,
    };

    [Theory]
    [InlineData(GgmlType.Q8_0, 34, 7)]
    [InlineData(GgmlType.Q4_0, 18, 2)]
    public void Write_Quantized_MatricesAreWholeBlocksNormsF32NoOutputWhenTied(GgmlType type, int blockBytes, long fileType)
    {
        var path = Path.Combine(_folder, "m.gguf");
        TinyLlamaGguf.Write(path, Small(type));
        var file = GgufReader.Read(path);

        Assert.Equal(fileType, file.GetInt64(GgufKeys.FileType));
        Assert.Equal(1500, file.Get(GgufKeys.Tokens)!.ArrayLength);
        Assert.DoesNotContain(file.Tensors, t => t.Name == "output.weight");
        Assert.Equal(1 + 1 + (2 * 9), file.Tensors.Count);
        foreach (var tensor in file.Tensors)
        {
            if (tensor.Name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                Assert.Equal(GgmlType.F32, tensor.Type);
                continue;
            }

            Assert.Equal(type, tensor.Type);
            Assert.Equal(tensor.Dimensions[0] / 32 * blockBytes * tensor.Dimensions[1], tensor.ByteSize);
        }

        var shapes = file.Tensors.ToDictionary(t => t.Name, t => t.Dimensions.ToArray());
        Assert.Equal(new long[] { 64, 1500 }, shapes["token_embd.weight"]);
        Assert.Equal(new long[] { 64, 32 }, shapes["blk.1.attn_k.weight"]);
        Assert.Equal(new long[] { 128, 64 }, shapes["blk.1.ffn_down.weight"]);
        var end = file.Tensors.Max(t => file.DataOffset + t.Offset + t.ByteSize);
        Assert.Equal(GgufReader.AlignUp(end, file.Alignment), file.FileLength);
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    public void Write_Quantized_WeightsCenteredWithVarianceOneOverFanIn(GgmlType type)
    {
        var path = Path.Combine(_folder, "m.gguf");
        TinyLlamaGguf.Write(path, Small(type) with { FeedForwardLength = 1024 });
        var file = GgufReader.Read(path);

        foreach (var name in new[] { "blk.0.ffn_up.weight", "blk.0.ffn_down.weight" })
        {
            var tensor = file.Tensors.Single(t => t.Name == name);
            var weights = QuantizedBlocks.Dequantize(path, file, tensor);
            var mean = weights.Average();
            var variance = weights.Average(w => (w - mean) * (w - mean));
            var expected = 1.0 / tensor.Dimensions[0];
            Assert.InRange(mean, -0.05 * Math.Sqrt(expected), 0.05 * Math.Sqrt(expected));
            Assert.InRange(variance, 0.9 * expected, 1.1 * expected);
        }
    }

    [Fact]
    public void Write_SameSeed_SameBytesOtherSeed_OtherBytes()
    {
        byte[] Bytes(int seed) => GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(Small(GgmlType.Q4_0) with { Seed = seed }));

        var first = Bytes(3);
        Assert.Equal(first, Bytes(3));
        Assert.Equal(first, GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(Small(GgmlType.Q4_0))));
        Assert.NotEqual(first, Bytes(4));
        Assert.Equal(first.Length, Bytes(4).Length);
    }

    [Fact]
    public void Write_VocabularySize_ExactDistinctAndPrefixClosed()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { VocabularySize = 20_000 })));

        var tokens = file.Get(GgufKeys.Tokens)!.AsArray<string>()!;
        var set = tokens.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(20_000, tokens.Count);
        Assert.Equal(tokens.Count, set.Count);
        Assert.Contains("▁zzz", set);
        foreach (var piece in tokens.Where(t => t.StartsWith('▁') && t.Length > 2))
        {
            Assert.Contains(piece[..^1], set);
        }

        Assert.Throws<ArgumentException>(() => TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { VocabularySize = 100 }));
    }

    [Fact]
    public void Write_ProducerWritesWrongByteCount_Throws()
    {
        var writer = new GgufWriter().AddTensor("w", [32, 2], GgmlType.Q8_0, stream => stream.Write(new byte[67]));

        var error = Assert.Throws<InvalidOperationException>(() => GgufTestFiles.ToBytes(writer));
        Assert.Contains("67", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
