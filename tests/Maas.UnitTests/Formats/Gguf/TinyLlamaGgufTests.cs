using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

public sealed class TinyLlamaGgufTests
{
    [Fact]
    public void Write_Defaults_FileHasLlamaHyperParametersAndVocabulary()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter()));

        Assert.Equal("llama", file.GetString(GgufKeys.Architecture));
        Assert.Equal(64L, file.GetInt64("llama.embedding_length"));
        Assert.Equal(2L, file.GetInt64("llama.block_count"));
        Assert.Equal(4L, file.GetInt64("llama.attention.head_count"));
        Assert.Equal(16L, file.GetInt64("llama.rope.dimension_count"));
        Assert.Equal("llama", file.GetString(GgufKeys.TokenizerModel));
        var tokens = file.Get(GgufKeys.Tokens)!.AsArray<string>()!;
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x00>"], tokens.Take(4));
        Assert.Contains("<0xFF>", tokens);
        Assert.Equal(tokens.Count, file.Get(GgufKeys.Scores)!.ArrayLength);
        Assert.Equal(tokens.Count, file.Get(GgufKeys.TokenTypes)!.ArrayLength);
        Assert.Equal(TinyLlamaGguf.DefaultChatTemplate, file.GetString(GgufKeys.ChatTemplate));
    }

    [Fact]
    public void Write_ExtraWords_EveryPrefixOfEveryWordIsAToken()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { ExtraWords = ["banana"] })));

        var tokens = file.Get(GgufKeys.Tokens)!.AsArray<string>()!;
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        foreach (var prefix in new[] { "▁", "▁b", "▁ba", "▁ban", "▁bana", "▁banan", "▁banana", "▁hello" })
        {
            Assert.Contains(prefix, tokens);
        }
    }

    [Fact]
    public void Write_Tensors_HaveLlamaNamesAndGgmlShapes()
    {
        var options = new TinyLlamaOptions { EmbeddingLength = 32, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 48, BlockCount = 3 };
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(options)));
        var vocabulary = file.Get(GgufKeys.Tokens)!.ArrayLength;
        var shapes = file.Tensors.ToDictionary(t => t.Name, t => t.Dimensions.ToArray());

        Assert.Equal(3 + (3 * 9), file.Tensors.Count);
        Assert.Equal(new long[] { 32, vocabulary }, shapes["token_embd.weight"]);
        Assert.Equal(new long[] { 32, vocabulary }, shapes["output.weight"]);
        Assert.Equal(new long[] { 32 }, shapes["output_norm.weight"]);
        Assert.Equal(new long[] { 32, 32 }, shapes["blk.2.attn_q.weight"]);
        Assert.Equal(new long[] { 32, 16 }, shapes["blk.2.attn_k.weight"]);
        Assert.Equal(new long[] { 32, 16 }, shapes["blk.2.attn_v.weight"]);
        Assert.Equal(new long[] { 32, 48 }, shapes["blk.0.ffn_up.weight"]);
        Assert.Equal(new long[] { 48, 32 }, shapes["blk.0.ffn_down.weight"]);
        Assert.Equal(2L, file.GetInt64("llama.attention.head_count_kv"));
    }

    [Fact]
    public void Write_F16_MatricesAreHalfNormsStayF32()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { WeightType = GgmlType.F16 })));

        Assert.Equal(GgmlType.F16, file.Tensors.Single(t => t.Name == "blk.0.attn_q.weight").Type);
        Assert.Equal(64L * 64 * 2, file.Tensors.Single(t => t.Name == "blk.0.attn_q.weight").ByteSize);
        Assert.Equal(GgmlType.F32, file.Tensors.Single(t => t.Name == "blk.0.attn_norm.weight").Type);
        Assert.Equal(1L, file.GetInt64(GgufKeys.FileType));
    }

    [Fact]
    public void Write_SameSeed_SameBytes_OtherSeed_OtherWeights()
    {
        var first = GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { Seed = 5 }));
        var second = GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { Seed = 5 }));
        var other = GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { Seed = 6 }));

        Assert.Equal(first, second);
        Assert.Equal(first.Length, other.Length);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Write_NoChatTemplate_LeavesKeyOut()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { ChatTemplate = null })));

        Assert.Null(file.Get(GgufKeys.ChatTemplate));
    }

    [Fact]
    public void CreateWriter_HeadsDoNotDivideEmbedding_Throws()
    {
        Assert.Throws<ArgumentException>(() => TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { EmbeddingLength = 30, HeadCount = 4 }));
        Assert.Throws<ArgumentException>(() => TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { WeightType = GgmlType.Q4_K }));
        Assert.Throws<ArgumentException>(() => TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { WeightType = GgmlType.Q4_0, EmbeddingLength = 48 }));
    }
}
