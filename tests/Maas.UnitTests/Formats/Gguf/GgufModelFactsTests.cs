using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

public sealed class GgufModelFactsTests
{
    [Fact]
    public void From_TinyLlama_StatesArchitectureShapeTokenizerAndSpecialTokens()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { Name = "tiny", ContextLength = 512 })));

        var facts = GgufModelFacts.From(file);

        Assert.Equal("llama", facts.Architecture);
        Assert.Equal("tiny", facts.Name);
        Assert.Equal(file.Tensors.Sum(t => t.ElementCount), facts.ParameterCount);
        Assert.True(facts.ParameterCount > 100_000);
        Assert.Equal("F32", facts.Quantization);
        Assert.Equal(GgmlType.F32, facts.DominantTensorType);
        Assert.Equal((512L, 64L, 2L, 4L), (facts.ContextLength, facts.EmbeddingLength, facts.BlockCount, facts.HeadCount));
        Assert.Equal("llama", facts.TokenizerModel);
        Assert.Equal(file.Get(GgufKeys.Tokens)!.ArrayLength, facts.VocabularySize);
        Assert.Equal(TinyLlamaGguf.DefaultChatTemplate, facts.ChatTemplate);
        Assert.Equal(new GgufSpecialToken("bos", 1, "<s>"), facts.SpecialToken("bos"));
        Assert.Equal(new GgufSpecialToken("eos", 2, "</s>"), facts.SpecialToken("eos"));
        Assert.Equal(new GgufSpecialToken("unknown", 0, "<unk>"), facts.SpecialToken("unknown"));
        Assert.Null(facts.SpecialToken("eot"));
        Assert.False(facts.IsEmbeddingModel);
    }

    [Fact]
    public void From_FileTypeKnown_NamesQuantizationFromIt()
    {
        var writer = new GgufWriter()
            .SetUInt32(GgufKeys.FileType, 15)
            .AddTensor("w", [256], GgmlType.Q4_K, new byte[144]);

        var facts = GgufModelFacts.From(GgufTestFiles.Read(GgufTestFiles.ToBytes(writer)));

        Assert.Equal(15L, facts.FileType);
        Assert.Equal("Q4_K_M", facts.Quantization);
    }

    [Fact]
    public void From_NoFileType_UsesTensorTypeWithMostElements()
    {
        var writer = new GgufWriter()
            .AddF32Tensor("norm", [32], new float[32])
            .AddTensor("w", [64, 2], GgmlType.Q8_0, new byte[2 * 2 * 34]);

        var facts = GgufModelFacts.From(GgufTestFiles.Read(GgufTestFiles.ToBytes(writer)));

        Assert.Equal(GgmlType.Q8_0, facts.DominantTensorType);
        Assert.Equal("Q8_0", facts.Quantization);
        Assert.Equal(160L, facts.ParameterCount);
    }

    [Fact]
    public void From_SpecialTokenOutsideVocabulary_HasNoText()
    {
        var writer = new GgufWriter().SetStringArray(GgufKeys.Tokens, ["a"]).SetUInt32(GgufKeys.EotTokenId, 5);

        var facts = GgufModelFacts.From(GgufTestFiles.Read(GgufTestFiles.ToBytes(writer)));

        Assert.Equal(new GgufSpecialToken("eot", 5, null), Assert.Single(facts.SpecialTokens));
    }

    [Theory]
    [InlineData("bert", false)]
    [InlineData("nomic-bert", false)]
    [InlineData("qwen3", true)]
    public void From_EmbeddingModel_IsEmbeddingModel(string architecture, bool withPooling)
    {
        var writer = new GgufWriter().SetString(GgufKeys.Architecture, architecture);
        if (withPooling)
        {
            writer.SetUInt32($"{architecture}.pooling_type", 3);
        }

        var facts = GgufModelFacts.From(GgufTestFiles.Read(GgufTestFiles.ToBytes(writer)));

        Assert.True(facts.IsEmbeddingModel);
    }

    [Fact]
    public void From_EmptyFile_HasNoFacts()
    {
        var facts = GgufModelFacts.From(GgufTestFiles.Read(GgufTestFiles.ToBytes(new GgufWriter())));

        Assert.Null(facts.Architecture);
        Assert.Null(facts.Quantization);
        Assert.Equal(0, facts.ParameterCount);
        Assert.Empty(facts.SpecialTokens);
    }
}
