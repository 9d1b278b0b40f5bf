using Maas.Core.Engines;
using Maas.Engines.Llama;

namespace Maas.UnitTests.Engines.Llama;

public sealed class TokenSamplerTests
{
    private static readonly float[] Logits = [1f, 3f, 2.5f, -1f, 0f];

    [Fact]
    public void Sample_ZeroTemperature_PicksMostLikelyToken()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f });

        var token = sampler.Sample(Logits, new SamplerScratch(Logits.Length));

        Assert.Equal(1, token.TokenId);
    }

    [Fact]
    public void Sample_Always_ReportsLogSoftmaxOfRawLogits()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f, PresencePenalty = 2f });
        var expected = 3.0 - Math.Log(Logits.Sum(l => Math.Exp(l)));

        var token = sampler.Sample(Logits, new SamplerScratch(Logits.Length));

        Assert.Equal(expected, token.LogProbability, 5);
    }

    [Fact]
    public void Sample_PresencePenalty_AvoidsRepeatingTheToken()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f, PresencePenalty = 1f });
        var scratch = new SamplerScratch(Logits.Length);

        var first = sampler.Sample(Logits, scratch);
        var second = sampler.Sample(Logits, scratch);

        Assert.Equal(1, first.TokenId);
        Assert.Equal(2, second.TokenId);
    }

    [Fact]
    public void Sample_FrequencyPenalty_GrowsWithEachOccurrence()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f, FrequencyPenalty = 0.3f });
        var scratch = new SamplerScratch(Logits.Length);

        var tokens = Enumerable.Range(0, 3).Select(_ => sampler.Sample(Logits, scratch).TokenId).ToArray();

        // 3 - 0.3 still beats 2.5; 3 - 0.6 does not.
        Assert.Equal([1, 1, 2], tokens);
    }

    [Fact]
    public void Sample_TinyTopP_KeepsOnlyMostLikelyToken()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 5f, TopP = 0.01f, Seed = 3 });
        var scratch = new SamplerScratch(Logits.Length);

        var tokens = Enumerable.Range(0, 50).Select(_ => sampler.Sample(Logits, scratch).TokenId).Distinct();

        Assert.Equal([1], tokens);
    }

    [Fact]
    public void Sample_HighTemperature_VisitsSeveralTokens()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 5f, Seed = 3 });
        var scratch = new SamplerScratch(Logits.Length);

        var tokens = Enumerable.Range(0, 200).Select(_ => sampler.Sample(Logits, scratch).TokenId).Distinct().Count();

        Assert.True(tokens >= 4, $"only {tokens} distinct tokens");
    }

    [Fact]
    public void Sample_SameSeed_SameTokens()
    {
        var options = new SamplingOptions { Temperature = 1f, TopP = 0.9f, Seed = 11 };
        var scratch = new SamplerScratch(Logits.Length);
        var a = new TokenSampler(options);
        var b = new TokenSampler(options);

        var first = Enumerable.Range(0, 30).Select(_ => a.Sample(Logits, scratch).TokenId).ToArray();
        var second = Enumerable.Range(0, 30).Select(_ => b.Sample(Logits, scratch).TokenId).ToArray();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Sample_TopLogprobs_ListsTokensByProbability()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f, TopLogprobs = 3 });

        var token = sampler.Sample(Logits, new SamplerScratch(Logits.Length));

        Assert.Equal([1, 2, 0], token.TopAlternatives!.Select(a => a.TokenId));
    }
}
