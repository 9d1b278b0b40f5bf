using Maas.Core.Engines;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>Prefix caching on a real (tiny, random-weight) GGUF: greedy output with the cache equals the output
/// without it, whatever was reused, shared or evicted.</summary>
public sealed class LlamaPrefixCacheTests(TinyLlamaModelFixture model) : IClassFixture<TinyLlamaModelFixture>
{
    private static readonly SamplingOptions Greedy = new() { Temperature = 0f };
    private const string SystemPrompt = "the model is a test of the world and the test is a model of the world hello world the model";

    [Fact]
    public async Task StartSequence_SamePromptTwice_ReusesAllButTheLastTokenAndGeneratesTheSame()
    {
        await using var cached = await LlamaTestModels.LoadAsync(model.ModelPath);
        await using var plain = await LlamaTestModels.LoadAsync(model.ModelPath, prefixCacheSequences: 0);
        var prompt = cached.Tokenize(SystemPrompt + " hello", true);

        var expected = await RunAsync(plain, prompt, 16);
        var first = await RunAsync(cached, prompt, 16);
        var second = await RunAsync(cached, prompt, 16);

        Assert.Equal(0, expected.Cached);
        Assert.Equal(0, first.Cached);
        Assert.Equal(prompt.Count - 1, second.Cached);
        Assert.Equal(expected.Tokens, first.Tokens);
        Assert.Equal(expected.Tokens, second.Tokens);
        Assert.True(expected.Tokens.Distinct().Count() > 1, "random weights should not collapse onto a single token");
    }

    [Fact]
    public async Task StartSequence_SharedSystemPromptDifferentUserTurns_ReusesTheSystemPromptExactly()
    {
        await using var cached = await LlamaTestModels.LoadAsync(model.ModelPath);
        await using var plain = await LlamaTestModels.LoadAsync(model.ModelPath, prefixCacheSequences: 0);
        var system = cached.Tokenize(SystemPrompt, true);
        string[] users = ["hello world", "a test", "the model is", "world"];

        for (var i = 0; i < users.Length; i++)
        {
            var prompt = cached.Tokenize(SystemPrompt + " " + users[i], true);
            var expected = await RunAsync(plain, prompt, 12);
            var actual = await RunAsync(cached, prompt, 12);

            Assert.Equal(expected.Tokens, actual.Tokens);
            if (i > 0)
            {
                Assert.True(actual.Cached >= system.Count, $"turn {i}: {actual.Cached} cached, system prompt {system.Count}");
            }
        }

        Assert.Equal(0, cached.PrefixCacheEvictions);
    }

    [Fact]
    public async Task StartSequence_MultiTurnChat_ReusesEarlierTurnsWithTheirGeneratedTokens()
    {
        await using var cached = await LlamaTestModels.LoadAsync(model.ModelPath);
        await using var plain = await LlamaTestModels.LoadAsync(model.ModelPath, prefixCacheSequences: 0);
        var conversation = cached.Tokenize(SystemPrompt, true).ToList();

        var previous = 0;
        for (var turn = 0; turn < 3; turn++)
        {
            conversation.AddRange(cached.Tokenize(turn % 2 == 0 ? " hello world" : " a test", false));
            var expected = await RunAsync(plain, conversation, 8);
            var actual = await RunAsync(cached, conversation, 8);

            Assert.Equal(expected.Tokens, actual.Tokens);
            if (turn > 0)
            {
                // The previous turn's prompt and all its answer but the last token (which never got a cell).
                Assert.Equal(previous + 7, actual.Cached);
            }

            conversation.AddRange(actual.Tokens);
            previous = conversation.Count - actual.Tokens.Count;
        }
    }

    [Fact]
    public async Task StepAsync_TwoSequencesSharingAPrefixAtOnce_MatchOutputsWithoutCache()
    {
        await using var cached = await LlamaTestModels.LoadAsync(model.ModelPath);
        await using var plain = await LlamaTestModels.LoadAsync(model.ModelPath, prefixCacheSequences: 0);
        var promptA = cached.Tokenize(SystemPrompt + " hello world", true);
        var promptB = cached.Tokenize(SystemPrompt + " a test", true);
        var expectedA = await RunAsync(plain, promptA, 12);
        var expectedB = await RunAsync(plain, promptB, 12);

        // A decodes its prompt first; B then copies A's cells while A is still running, and both step together.
        using var a = cached.StartSequence(promptA, Greedy);
        var tokensA = new List<int> { (await cached.StepAsync([a]))[0].TokenId };
        using var b = cached.StartSequence(promptB, Greedy);
        var tokensB = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var step = i < 11 ? await cached.StepAsync([b, a]) : await cached.StepAsync([b]);
            tokensB.Add(step[0].TokenId);
            if (i < 11)
            {
                tokensA.Add(step[1].TokenId);
            }
        }

        Assert.True(b.CachedTokens >= cached.Tokenize(SystemPrompt, true).Count, $"{b.CachedTokens} cached");
        Assert.Equal(expectedA.Tokens, tokensA);
        Assert.Equal(expectedB.Tokens, tokensB);
    }

    [Fact]
    public async Task StartSequence_KvCacheTooSmallForEveryPrefix_EvictsOldestAndOutputsStayExact()
    {
        // 256 cells: each finished prompt of ~30 tokens plus its answer stays cached until new ones need the room.
        await using var cached = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256, maxSequences: 2, prefixCacheSequences: 6);
        await using var plain = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256, maxSequences: 2, prefixCacheSequences: 0);
        string[] topics = ["hello", "world", "test", "model", "a", "the"];
        var prompts = topics.Select(t => cached.Tokenize(string.Join(' ', Enumerable.Repeat(t + " world", 15)), true)).ToList();

        foreach (var prompt in prompts.Concat(prompts.Take(2)))
        {
            var expected = await RunAsync(plain, prompt, 24);
            var actual = await RunAsync(cached, prompt, 24);
            Assert.Equal(expected.Tokens, actual.Tokens);
        }

        Assert.True(cached.PrefixCacheEvictions > 0, "the cache should have had to drop prefixes");
        Assert.Equal(0, plain.PrefixCacheEvictions);
    }

    [Fact]
    public async Task StepAsync_LenderEvictedWhileBorrowerRuns_BorrowerOutputUnchanged()
    {
        // The borrower copies a cached prefix; new sequences then need so many cells that the lender is evicted
        // mid-generation. The shared cells must stay (llama.cpp keeps a cell while any sequence id is on it).
        await using var cached = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256, maxSequences: 2, prefixCacheSequences: 4);
        await using var plain = await LlamaTestModels.LoadAsync(model.ModelPath, contextSize: 256, maxSequences: 2, prefixCacheSequences: 0);
        var lenderPrompt = cached.Tokenize(SystemPrompt + " hello", true);
        var borrowerPrompt = cached.Tokenize(SystemPrompt + " world a test", true);
        var expected = await RunAsync(plain, borrowerPrompt, 40);
        await RunAsync(cached, lenderPrompt, 40);

        using var borrower = cached.StartSequence(borrowerPrompt, Greedy);
        var tokens = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            if (i == 5)
            {
                // Two long prompts of other words, one after the other: the first stays cached, and the second
                // finds room only by evicting, the lender (least recently used) first.
                foreach (var words in (string[])["test model", "hello a"])
                {
                    var filler = cached.Tokenize(string.Join(' ', Enumerable.Repeat(words, 55)), true);
                    using var other = cached.StartSequence(filler, Greedy);
                    await cached.StepAsync([other]);
                }
            }

            tokens.Add((await cached.StepAsync([borrower]))[0].TokenId);
        }

        Assert.True(borrower.CachedTokens > 0);
        Assert.True(cached.PrefixCacheEvictions > 0, "the lender should have been evicted");
        Assert.Equal(expected.Tokens, tokens);
    }

    private static async Task<(List<int> Tokens, int Cached)> RunAsync(ITextGenerator generator, IReadOnlyList<int> prompt, int count)
    {
        using var sequence = generator.StartSequence(prompt, Greedy);
        var tokens = new List<int>();
        for (var i = 0; i < count; i++)
        {
            tokens.Add((await generator.StepAsync([sequence]))[0].TokenId);
        }

        return (tokens, sequence.CachedTokens);
    }
}
