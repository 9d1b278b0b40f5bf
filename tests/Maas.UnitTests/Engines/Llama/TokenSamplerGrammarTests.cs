using System.Text;
using Maas.Core.Engines;
using Maas.Core.Grammars;
using Maas.Engines.Llama;

namespace Maas.UnitTests.Engines.Llama;

public sealed class TokenSamplerGrammarTests
{
    private const int Eos = 0;

    // 0: EOS, then texts.
    private static readonly string[] Texts = ["", "x", "a", "b", "ab", "c", "1"];

    private static readonly GrammarVocabulary Vocabulary = new(Texts.Length, t => Encoding.UTF8.GetBytes(Texts[t]), [Eos]);

    [Fact]
    public void Sample_Greedy_PicksMostLikelyAllowedToken()
    {
        var grammar = GbnfGrammar.Parse("root ::= (\"a\" | \"b\") \"c\"");
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f, Grammar = grammar }, null, Vocabulary.CreateMatcher(grammar));
        float[] logits = [9f, 8f, 1f, 2f, 7f, 6f, 5f];

        var first = sampler.Sample(logits, new SamplerScratch(logits.Length));
        var second = sampler.Sample(logits, new SamplerScratch(logits.Length));

        Assert.Equal(3, first.TokenId);
        Assert.False(first.CompletesGrammar);
        Assert.Equal(5, second.TokenId);
        Assert.True(second.CompletesGrammar);
    }

    [Fact]
    public void Sample_TopKAndTemperature_DrawsOnlyAllowedTokens()
    {
        var grammar = GbnfGrammar.Parse("root ::= [a-c]+");
        float[] logits = [5f, 5f, 0f, 0f, 0f, 0f, 5f];
        for (var seed = 0u; seed < 50; seed++)
        {
            var sampler = new TokenSampler(new SamplingOptions { Temperature = 1.5f, TopK = 2, TopP = 0.9f, Seed = seed, Grammar = grammar }, null, Vocabulary.CreateMatcher(grammar));

            var token = sampler.Sample(logits, new SamplerScratch(logits.Length));

            Assert.Contains(Texts[token.TokenId], new[] { "a", "b", "ab", "c" });
        }
    }

    [Fact]
    public void Sample_LogitBiasBansEveryAllowedToken_GrammarWins()
    {
        var grammar = GbnfGrammar.Parse("root ::= \"1\"");
        var options = new SamplingOptions { Temperature = 0f, Grammar = grammar, LogitBias = new Dictionary<int, float> { [6] = -100f } };
        var sampler = new TokenSampler(options, null, Vocabulary.CreateMatcher(grammar));
        float[] logits = [1f, 1f, 1f, 1f, 1f, 1f, 1f];

        var token = sampler.Sample(logits, new SamplerScratch(logits.Length));

        Assert.Equal(6, token.TokenId);
        Assert.True(token.CompletesGrammar);
    }

    [Fact]
    public void Sample_GrammarNeedsCharacterOutsideVocabulary_EndsWithEndToken()
    {
        var grammar = GbnfGrammar.Parse("root ::= \"z\"");
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f, Grammar = grammar }, null, Vocabulary.CreateMatcher(grammar));
        float[] logits = [1f, 2f, 3f, 4f, 5f, 6f, 7f];

        var token = sampler.Sample(logits, new SamplerScratch(logits.Length));

        Assert.Equal(Eos, token.TokenId);
        Assert.True(token.CompletesGrammar);
    }

    [Fact]
    public void Sample_GrammarMayEnd_AllowsEndToken()
    {
        var grammar = GbnfGrammar.Parse("root ::= \"a\" \"b\"*");
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0f, Grammar = grammar }, null, Vocabulary.CreateMatcher(grammar));
        float[] logits = [9f, 1f, 2f, 1f, 1f, 1f, 1f];

        var first = sampler.Sample(logits, new SamplerScratch(logits.Length));
        var second = sampler.Sample(logits, new SamplerScratch(logits.Length));

        Assert.Equal(2, first.TokenId);
        Assert.Equal(Eos, second.TokenId);
    }
}
