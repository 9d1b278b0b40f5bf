using LLama;
using LLama.Common;
using LLama.Native;
using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

/// <summary>The real check that matters for <see cref="TinyLlamaGguf"/>: llama.cpp itself accepts the file.</summary>
public sealed class TinyLlamaLlamaCppTests
{
    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public void LoadFromFile_TinyLlama_LoadsAndTokenizesWithWordPieces(GgmlType weightType)
    {
        using var folder = new TempModelFolder();
        var path = folder.File("tiny.gguf");
        TinyLlamaGguf.Write(path, new TinyLlamaOptions { WeightType = weightType, HeadCountKv = 2 });
        var facts = GgufModelFacts.From(GgufReader.Read(path));
        NativeApi.llama_empty_call();

        using var weights = LLamaWeights.LoadFromFile(new ModelParams(path) { GpuLayerCount = 0 });
        var tokens = weights.Tokenize("hello world", add_bos: true, special: false, System.Text.Encoding.UTF8);

        Assert.Equal(facts.ParameterCount, (long)weights.ParameterCount);
        Assert.Equal(facts.VocabularySize, weights.Vocab.Count);
        Assert.Equal(3, tokens.Length);
        Assert.Equal(1, (int)tokens[0]);
    }
}
