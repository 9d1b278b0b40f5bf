using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;

namespace Maas.UnitTests.Engines.Llama;

public sealed class LlamaTextGeneratorTests(TinyLlamaModelFixture model) : IClassFixture<TinyLlamaModelFixture>
{
    private static readonly SamplingOptions Greedy = new() { Temperature = 0f };

    [Fact]
    public async Task LoadAsync_TinyModel_ReportsModelAndContextFacts()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256, maxSequences: 4);

        var info = generator.Info;
        Assert.Equal(TinyLlamaModelFixture.TrainedContextLength, info.ContextLength);
        Assert.Equal(model.VocabularySize, info.VocabularySize);
        Assert.Contains(TinyLlamaModelFixture.EosToken, info.EndOfGenerationTokens);
        Assert.Equal(TinyLlamaGguf.DefaultChatTemplate, info.ChatTemplate);
        Assert.Equal(256, info.KvCacheCapacity);
        Assert.Equal(4, info.MaxSequences);
        Assert.Empty(generator.Inputs);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("the model is a test")]
    [InlineData("héllo, wörld ✓ 42")]
    public async Task Detokenize_TokenizedText_ReturnsOriginalText(string text)
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);

        var tokens = generator.Tokenize(text, addSpecialTokens: false);

        Assert.DoesNotContain(0, tokens); // byte fallback covers every character, nothing is unknown
        Assert.Equal(text, generator.Detokenize(tokens));
    }

    [Fact]
    public async Task Tokenize_WithSpecialTokens_StartsWithBos()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);

        var plain = generator.Tokenize("hello world", addSpecialTokens: false);
        var withBos = generator.Tokenize("hello world", addSpecialTokens: true);

        Assert.Equal([TinyLlamaModelFixture.BosToken, .. plain], withBos);
        Assert.Equal("hello world", generator.Detokenize(withBos));
    }

    [Fact]
    public async Task GetTokenBytes_WordPiece_KeepsItsLeadingSpace()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var hello = Assert.Single(generator.Tokenize("hello", addSpecialTokens: false));

        Assert.Equal(" hello"u8.ToArray(), generator.GetTokenBytes(hello));
        Assert.Empty(generator.GetTokenBytes(TinyLlamaModelFixture.EosToken));
    }

    [Fact]
    public async Task StepAsync_GreedyTwice_GeneratesSameTokens()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var prompt = generator.Tokenize("hello world", addSpecialTokens: true);

        var first = await LlamaTestModels.GenerateAloneAsync(generator, prompt, Greedy, 16);
        var second = await LlamaTestModels.GenerateAloneAsync(generator, prompt, Greedy, 16);

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 1, "random weights should not collapse onto a single token");
    }

    [Fact]
    public async Task StepAsync_GreedyWithOtherSequencesInBatch_MatchesSequenceAlone()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256, maxSequences: 4);
        var prompt = generator.Tokenize("hello world", addSpecialTokens: true);
        var alone = await LlamaTestModels.GenerateAloneAsync(generator, prompt, Greedy, 16);

        // The target shares every step with others: two start with it, one joins later with a fresh prompt
        // (prefill next to single-token decodes) and one leaves half-way.
        using var target = generator.StartSequence(prompt, Greedy);
        using var early = generator.StartSequence(generator.Tokenize("the model is a test", true), new SamplingOptions { Temperature = 1f, Seed = 7 });
        var leaving = generator.StartSequence(generator.Tokenize("a", true), Greedy);
        IGenerationSequence? late = null;
        var together = new List<int>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                if (i == 5)
                {
                    late = generator.StartSequence(generator.Tokenize("world hello world hello", true), Greedy);
                }

                if (i == 8)
                {
                    leaving.Dispose();
                }

                var batch = new List<IGenerationSequence> { early, target };
                if (i < 8)
                {
                    batch.Add(leaving);
                }

                if (late is not null)
                {
                    batch.Insert(0, late);
                }

                var step = await generator.StepAsync(batch);
                together.Add(step[batch.IndexOf(target)].TokenId);
            }
        }
        finally
        {
            leaving.Dispose();
            late?.Dispose();
        }

        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task StepAsync_SameSeed_GeneratesSameTokens()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var prompt = generator.Tokenize("hello", addSpecialTokens: true);
        var sampling = new SamplingOptions { Temperature = 1.5f, TopP = 0.95f, Seed = 42 };

        var first = await LlamaTestModels.GenerateAloneAsync(generator, prompt, sampling, 16);
        var second = await LlamaTestModels.GenerateAloneAsync(generator, prompt, sampling, 16);

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task StepAsync_DifferentSeeds_GenerateDifferentTokens()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var prompt = generator.Tokenize("hello", addSpecialTokens: true);

        var first = await LlamaTestModels.GenerateAloneAsync(generator, prompt, new SamplingOptions { Temperature = 1.5f, Seed = 1 }, 16);
        var second = await LlamaTestModels.GenerateAloneAsync(generator, prompt, new SamplingOptions { Temperature = 1.5f, Seed = 2 }, 16);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task StepAsync_SeededSequenceSharingSteps_MatchesSequenceAlone()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var prompt = generator.Tokenize("hello", addSpecialTokens: true);
        var sampling = new SamplingOptions { Temperature = 1.2f, TopP = 0.9f, FrequencyPenalty = 0.5f, Seed = 99 };
        var alone = await LlamaTestModels.GenerateAloneAsync(generator, prompt, sampling, 12);

        using var target = generator.StartSequence(prompt, sampling);
        using var other = generator.StartSequence(generator.Tokenize("the test", true), new SamplingOptions { Temperature = 1.2f, Seed = 5 });
        var together = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var step = await generator.StepAsync([other, target]);
            together.Add(step[1].TokenId);
        }

        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task StepAsync_TopLogprobs_ReportsMostLikelyTokensInOrder()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        using var sequence = generator.StartSequence(generator.Tokenize("hello", true), new SamplingOptions { Temperature = 0f, TopLogprobs = 3 });

        var token = (await generator.StepAsync([sequence]))[0];

        var alternatives = Assert.IsAssignableFrom<IReadOnlyList<TokenAlternative>>(token.TopAlternatives);
        Assert.Equal(3, alternatives.Count);
        Assert.Equal(token.TokenId, alternatives[0].TokenId);
        Assert.Equal(token.LogProbability, alternatives[0].LogProbability, 5);
        Assert.True(alternatives[0].LogProbability >= alternatives[1].LogProbability && alternatives[1].LogProbability >= alternatives[2].LogProbability);
        Assert.True(token.LogProbability < 0f);
        Assert.True(alternatives.Sum(a => Math.Exp(a.LogProbability)) <= 1.0 + 1e-5);
    }

    [Fact]
    public async Task StartSequence_MoreThanMaxSequences_ThrowsUnavailable()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath, maxSequences: 2);
        var prompt = generator.Tokenize("hello", true);
        using var first = generator.StartSequence(prompt, Greedy);
        using var second = generator.StartSequence(prompt, Greedy);

        var error = Assert.Throws<MaasException>(() => generator.StartSequence(prompt, Greedy));

        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public async Task Dispose_SequenceWhenAllSlotsInUse_FreesItsCellsForANewSequence()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath, maxSequences: 2);
        var prompt = generator.Tokenize("hello world", true);
        var expected = await LlamaTestModels.GenerateAloneAsync(generator, prompt, Greedy, 8);
        using var kept = generator.StartSequence(generator.Tokenize("the model", true), Greedy);
        var finished = generator.StartSequence(generator.Tokenize("a test is a test", true), Greedy);
        for (var i = 0; i < 6; i++)
        {
            await generator.StepAsync([kept, finished]);
        }

        finished.Dispose();
        using var next = generator.StartSequence(prompt, Greedy);
        var generated = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            var step = await generator.StepAsync([kept, next]);
            generated.Add(step[1].TokenId);
        }

        // Had the old sequence's cells stayed in the cache under the reused id, attention would see them.
        Assert.Equal(expected, generated);
    }

    [Fact]
    public async Task StartSequence_PromptLongerThanContext_ThrowsInvalidArgument()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256);
        var prompt = Enumerable.Repeat(40, TinyLlamaModelFixture.TrainedContextLength + 1).ToArray();

        var error = Assert.Throws<MaasException>(() => generator.StartSequence(prompt, Greedy));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task StartSequence_PromptLongerThanFreeCells_ThrowsUnavailable()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256, maxSequences: 4);
        Assert.Equal(256, generator.Info.KvCacheCapacity);
        var prompt = Enumerable.Repeat(40, 100).ToArray();
        using var first = generator.StartSequence(prompt, Greedy);
        using var second = generator.StartSequence(prompt, Greedy);

        var error = Assert.Throws<MaasException>(() => generator.StartSequence(prompt, Greedy));

        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public async Task StepAsync_DisposedSequence_Throws()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var sequence = generator.StartSequence(generator.Tokenize("hello", true), Greedy);
        sequence.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await generator.StepAsync([sequence]));
    }

    [Fact]
    public async Task StepAsync_CancelledToken_ThrowsAndLeavesSequenceUsable()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var prompt = generator.Tokenize("hello world", true);
        var expected = await LlamaTestModels.GenerateAloneAsync(generator, prompt, Greedy, 4);
        using var sequence = generator.StartSequence(prompt, Greedy);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await generator.StepAsync([sequence], cancelled.Token));
        var generated = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            generated.Add((await generator.StepAsync([sequence]))[0].TokenId);
        }

        Assert.Equal(expected, generated);
    }

    [Fact]
    public async Task Step_TokenCancelledDuringDecode_AbortsAndRollsBackTheStep()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var prompt = generator.Tokenize("hello world", true);
        var expected = await LlamaTestModels.GenerateAloneAsync(generator, prompt, Greedy, 4);
        using var sequence = generator.StartSequence(prompt, Greedy);

        // Step skips the managed pre-check, so only llama.cpp's abort callback can stop this decode.
        Assert.Throws<OperationCanceledException>(() =>
            ((LlamaTextGenerator)generator).Step([(LlamaSequence)sequence], new CancellationToken(canceled: true)));
        var generated = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            generated.Add((await generator.StepAsync([sequence]))[0].TokenId);
        }

        Assert.Equal(expected, generated);
    }

    [Fact]
    public async Task TokenCount_AfterSteps_CountsPromptAndGeneratedTokens()
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var prompt = generator.Tokenize("hello world", true);
        using var sequence = generator.StartSequence(prompt, Greedy);

        await generator.StepAsync([sequence]);
        await generator.StepAsync([sequence]);

        Assert.Equal(prompt.Count + 2, sequence.TokenCount);
    }
}
