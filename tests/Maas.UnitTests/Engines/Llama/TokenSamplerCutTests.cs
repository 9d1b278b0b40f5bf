using Maas.Core.Engines;
using Maas.Engines.Llama;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>top-k / top-p / min-p cut sets, logit bias and repetition penalty, checked against a full-sort reference.</summary>
public sealed class TokenSamplerCutTests
{
    private const int Draws = 4000;

    // 2,000 tokens of noise around 0 and six strong tokens at scattered ids.
    private static readonly int[] Strong = [1700, 31, 999, 512, 1234, 7];

    private static float[] PeakedLogits()
    {
        var random = new Random(5);
        var logits = new float[2000];
        for (var i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)(random.NextDouble() - 0.5);
        }

        for (var i = 0; i < Strong.Length; i++)
        {
            logits[Strong[i]] = 8f - (0.5f * i);
        }

        return logits;
    }

    private static float[] RandomLogits(int vocabulary, int seed)
    {
        var random = new Random(seed);
        var logits = new float[vocabulary];
        for (var i = 0; i < logits.Length; i++)
        {
            // Roughly normal (sum of uniforms), spread like a real model's logits.
            logits[i] = (float)((random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 4);
        }

        return logits;
    }

    private static HashSet<int> Sampled(SamplingOptions options, float[] logits, int draws = Draws)
    {
        var sampler = new TokenSampler(options);
        var scratch = new SamplerScratch(logits.Length);
        return Enumerable.Range(0, draws).Select(_ => sampler.Sample(logits, scratch).TokenId).ToHashSet();
    }

    [Fact]
    public void Sample_TopK_DrawsExactlyTheKMostLikely()
    {
        var logits = PeakedLogits();

        var tokens = Sampled(new SamplingOptions { Temperature = 1f, TopK = 3, Seed = 1 }, logits);

        Assert.Equal(Strong.Take(3).Order(), tokens.Order());
    }

    [Fact]
    public void Sample_TopP_DrawsExactlyTheNucleus()
    {
        var logits = PeakedLogits();
        var expected = ReferenceCut(logits, 1f, 0, 0.6f, 0f);

        var tokens = Sampled(new SamplingOptions { Temperature = 1f, TopP = 0.6f, Seed = 2 }, logits);

        Assert.InRange(expected.Length, 2, 5);
        Assert.Equal(expected.Order(), tokens.Order());
    }

    [Fact]
    public void Sample_MinP_DrawsTokensAboveTheFractionOfTheBest()
    {
        var logits = PeakedLogits();

        // exp(-1) = 0.37 >= 0.3 keeps 8, 7.5 and 7; exp(-1.5) = 0.22 drops 6.5.
        var tokens = Sampled(new SamplingOptions { Temperature = 1f, MinP = 0.3f, Seed = 3 }, logits);

        Assert.Equal(Strong.Take(3).Order(), tokens.Order());
    }

    [Fact]
    public void Sample_TopKThenTopP_NucleusOfTheRenormalisedTopK()
    {
        var logits = PeakedLogits();
        var expected = ReferenceCut(logits, 1f, 4, 0.7f, 0f);

        var tokens = Sampled(new SamplingOptions { Temperature = 1f, TopK = 4, TopP = 0.7f, Seed = 4 }, logits);

        Assert.Equal(expected.Order(), tokens.Order());
        Assert.True(expected.Length < 4);
    }

    [Fact]
    public void Sample_Temperature_FrequenciesMatchSoftmax()
    {
        float[] logits = [1f, 3f, 2.5f, -1f, 0f];
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0.8f, Seed = 9 });
        var scratch = new SamplerScratch(logits.Length);
        var counts = new int[logits.Length];
        const int draws = 20000;
        for (var i = 0; i < draws; i++)
        {
            counts[sampler.Sample(logits, scratch).TokenId]++;
        }

        var weights = logits.Select(l => Math.Exp(l / 0.8)).ToArray();
        for (var i = 0; i < logits.Length; i++)
        {
            var expected = weights[i] / weights.Sum();
            Assert.InRange((double)counts[i] / draws, expected - 0.015, expected + 0.015);
        }
    }

    [Theory]
    [InlineData(32_000, 0, 0.9f, 0f)]
    [InlineData(151_936, 0, 0.95f, 0f)]
    [InlineData(151_936, 50, 0.9f, 0f)]
    [InlineData(151_936, 0, 0.5f, 0.05f)]
    [InlineData(151_936, 0, 1f, 0.05f)]
    public void Sample_LargeVocabulary_SameTokensAsFullSortReference(int vocabulary, int topK, float topP, float minP)
    {
        var options = new SamplingOptions { Temperature = 0.7f, TopK = topK, TopP = topP, MinP = minP, Seed = 21 };
        var sampler = new TokenSampler(options);
        var scratch = new SamplerScratch(vocabulary);
        var random = new Random(21);
        for (var step = 0; step < 20; step++)
        {
            var logits = RandomLogits(vocabulary, step);

            var token = sampler.Sample(logits, scratch).TokenId;

            Assert.Equal(ReferenceDraw(logits, options, random), token);
        }
    }

    [Fact]
    public void Sample_SameSeedLargeVocabulary_SameTokens()
    {
        var logits = RandomLogits(151_936, 1);
        var options = new SamplingOptions { Temperature = 1f, TopK = 100, TopP = 0.9f, MinP = 0.01f, Seed = 77 };
        var scratch = new SamplerScratch(logits.Length);
        var a = new TokenSampler(options);
        var b = new TokenSampler(options);

        var first = Enumerable.Range(0, 30).Select(_ => a.Sample(logits, scratch).TokenId).ToArray();
        var second = Enumerable.Range(0, 30).Select(_ => b.Sample(logits, scratch).TokenId).ToArray();

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 1);
    }

    [Fact]
    public void Sample_LogitBiasMinus100_BansTheToken()
    {
        var logits = PeakedLogits();
        var bias = new Dictionary<int, float> { [Strong[0]] = -100f };

        var greedy = new TokenSampler(new SamplingOptions { Temperature = 0f, LogitBias = bias }).Sample(logits, new SamplerScratch(logits.Length));
        var tokens = Sampled(new SamplingOptions { Temperature = 1f, TopK = 3, LogitBias = bias, Seed = 5 }, logits);

        Assert.Equal(Strong[1], greedy.TokenId);
        Assert.Equal(new[] { Strong[1], Strong[2], Strong[3] }.Order(), tokens.Order());
    }

    [Fact]
    public void Sample_PositiveLogitBias_PromotesTheToken()
    {
        var logits = PeakedLogits();
        var bias = new Dictionary<int, float> { [42] = 10f };

        var token = new TokenSampler(new SamplingOptions { Temperature = 0f, LogitBias = bias }).Sample(logits, new SamplerScratch(logits.Length));

        Assert.Equal(42, token.TokenId);
        // The reported log-probability is the model's, before the bias.
        Assert.True(token.LogProbability < -5);
    }

    [Fact]
    public void Sample_RepetitionPenalty_DividesPositiveLogitsOfPromptTokens()
    {
        float[] logits = [1f, 3f, 2.5f, -1f, 0f];

        var penalised = new TokenSampler(new SamplingOptions { Temperature = 0f, RepetitionPenalty = 1.3f }, [1, 4]).Sample(logits, new SamplerScratch(5));
        var outsideWindow = new TokenSampler(new SamplingOptions { Temperature = 0f, RepetitionPenalty = 1.3f, RepetitionWindow = 1 }, [1, 4]).Sample(logits, new SamplerScratch(5));

        // 3 / 1.3 = 2.31 < 2.5.
        Assert.Equal(2, penalised.TokenId);
        Assert.Equal(1, outsideWindow.TokenId);
    }

    [Fact]
    public void Sample_RepetitionPenalty_MultipliesNegativeLogits()
    {
        float[] logits = [-1f, -1.2f];

        var token = new TokenSampler(new SamplingOptions { Temperature = 0f, RepetitionPenalty = 1.5f }, [0]).Sample(logits, new SamplerScratch(2));

        // -1 * 1.5 = -1.5 < -1.2.
        Assert.Equal(1, token.TokenId);
    }

    // Full sort of the whole vocabulary: the definition the sampler must match.
    private static int[] ReferenceCut(float[] logits, float temperature, int topK, float topP, float minP)
    {
        var weights = Weights(logits, temperature);
        var sorted = Enumerable.Range(0, logits.Length).OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
        if (topK > 0)
        {
            sorted = sorted.Take(topK).ToArray();
        }

        var total = topK > 0 ? sorted.Sum(i => (double)weights[i]) : weights.Sum(w => (double)w);
        var threshold = topP * total;
        double kept = 0;
        var count = 0;
        while (count < sorted.Length && (count == 0 || (kept < threshold && weights[sorted[count]] >= minP)))
        {
            kept += weights[sorted[count]];
            count++;
        }

        return sorted.Take(count).ToArray();
    }

    private static int ReferenceDraw(float[] logits, SamplingOptions options, Random random)
    {
        var weights = Weights(logits, options.Temperature);
        var cut = ReferenceCut(logits, options.Temperature, options.TopK, options.TopP, options.MinP);
        if (options.TopK == 0 && options.TopP >= 1f)
        {
            // Without top-k/top-p the sampler walks the vocabulary in id order.
            cut = cut.Order().ToArray();
        }

        var kept = cut.Sum(i => (double)weights[i]);
        var target = random.NextDouble() * kept;
        double cumulative = 0;

        foreach (var token in cut)
        {
            cumulative += weights[token];
            if (target < cumulative)
            {
                return token;
            }
        }

        return cut[^1];
    }

    private static float[] Weights(float[] logits, float temperature)
    {
        var max = logits.Max();
        var inverse = 1.0f / temperature;
        return logits.Select(l => MathF.Exp(-((max - l) * inverse))).ToArray();
    }
}
