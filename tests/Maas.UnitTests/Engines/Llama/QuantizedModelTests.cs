using LLama;
using LLama.Native;
using Maas.Core.Engines;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>A tiny model quantised to Q4_0 by llama.cpp's own quantiser loads and batches like the F32 one.</summary>
public sealed class QuantizedModelTests(TinyLlamaModelFixture model) : IClassFixture<TinyLlamaModelFixture>
{
    [Fact]
    public async Task Q4_0Model_GreedyAloneEqualsGreedyInSharedBatch()
    {
        // The quantiser needs the native library loaded first (it throws DllNotFoundException otherwise).
        LlamaNativeLibrary.EnsureInitialized(NullLogger.Instance);
        var quantized = Path.Combine(model.Directory, "tiny-q4_0.gguf");
        Assert.True(LLamaQuantizer.Quantize(model.ModelPath, quantized, LLamaFtype.MOSTLY_Q4_0, nthread: 1, allowRequantize: false, quantizeOutputTensor: true));
        var facts = GgufModelFacts.From(GgufReader.Read(quantized));
        Assert.Equal(GgmlType.Q4_0, facts.DominantTensorType);

        await using var generator = (ITextGenerator)await LlamaTestModels.LoadModelAsync(quantized);
        var greedy = new SamplingOptions { Temperature = 0 };
        var prompt = generator.Tokenize("hello world", addSpecialTokens: true);
        var alone = await LlamaTestModels.GenerateAloneAsync(generator, prompt, greedy, 12);

        using var target = generator.StartSequence(prompt, greedy);
        using var other = generator.StartSequence(generator.Tokenize("the", addSpecialTokens: true), greedy);
        var shared = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var step = await generator.StepAsync([other, target]);
            shared.Add(step[1].TokenId);
        }

        Assert.Equal(alone, shared);
    }
}
