using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Serving.Generation;

namespace Maas.UnitTests.Serving.Generation;

public sealed class TokenSchedulerTests
{
    private static readonly string[] Prompts = ["one", "two two", "three", "four!", "five five five", "six", "seven?", "eight"];

    [Fact]
    public async Task GenerateAsync_EightConcurrentRequests_SameTextsAsOneByOne()
    {
        var expected = new List<string>();
        await using (var alone = new GenerationHarness(new FakeTextGenerator()))
        {
            foreach (var prompt in Prompts)
            {
                expected.Add((await alone.RunAsync(GenerationHarness.Request(prompt, maxTokens: 12 + prompt.Length))).Text);
            }
        }

        await using var harness = new GenerationHarness(new FakeTextGenerator());
        var results = await Task.WhenAll(Prompts.Select(p => harness.RunAsync(GenerationHarness.Request(p, maxTokens: 12 + p.Length))));

        Assert.Equal(expected, results.Select(r => r.Text));
        Assert.All(results, r => Assert.Equal(FinishReasons.Length, r.Last.FinishReason));
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentRequests_StepsBatchSequencesTogether()
    {
        var generator = new FakeTextGenerator { StepGate = new SemaphoreSlim(0) };
        await using var harness = new GenerationHarness(generator);
        var runs = Prompts.Take(4).Select(p => harness.RunAsync(GenerationHarness.Request(p, maxTokens: 5))).ToList();
        await harness.StepUntilAsync(() => generator.Started == 4);

        generator.StepGate.Release(100);
        await Task.WhenAll(runs);

        Assert.Contains(generator.Batches, batch => batch.Length == 4);
        Assert.All(generator.Batches, batch => Assert.Equal(batch.Length, batch.Distinct().Count()));
    }

    [Fact]
    public async Task GenerateAsync_ClientCancels_SequenceFreedAtNextStep()
    {
        var generator = new FakeTextGenerator { StepGate = new SemaphoreSlim(0) };
        await using var harness = new GenerationHarness(generator);
        using var cancel = new CancellationTokenSource();
        var cancelled = harness.RunAsync(GenerationHarness.Request("abc", maxTokens: 50), cancel.Token);
        var other = harness.RunAsync(GenerationHarness.Request("xyz", maxTokens: 50));
        await harness.StepUntilAsync(() => generator.Started == 2);
        await harness.StepUntilAsync(() => generator.Batches.Any(b => b.Length == 2));

        await cancel.CancelAsync();
        var stepsBeforeCancel = generator.Batches.Count;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        generator.StepGate.Release(100);
        await other;

        // The step already waiting at the gate may still hold it; every later one must not.
        var afterCancel = generator.Batches.Skip(stepsBeforeCancel + 1).ToList();
        Assert.NotEmpty(afterCancel);
        Assert.All(afterCancel, batch => Assert.DoesNotContain(1, batch));
        Assert.Equal(0, generator.LiveSequences);
    }

    [Fact]
    public async Task GenerateAsync_ConsumerStopsReading_SequenceFreed()
    {
        var generator = new FakeTextGenerator(FakeTextGenerator.Script("aaaa", endWithEos: false)) { StepGate = new SemaphoreSlim(1) };
        await using var harness = new GenerationHarness(generator);

        await foreach (var chunk in harness.Pipeline.GenerateAsync(GenerationHarness.Request("hi", maxTokens: 1000)))
        {
            Assert.Equal("a", chunk.Text);
            break;
        }

        generator.StepGate.Release(1000);
        await GenerationHarness.WaitUntilAsync(() => generator.LiveSequences == 0);
        Assert.True(generator.Batches.Count <= 3);
    }

    [Fact]
    public async Task GenerateAsync_QueueFull_ThrowsTooManyRequestsAtOnce()
    {
        var generator = new FakeTextGenerator { StepGate = new SemaphoreSlim(0) };
        await using var harness = new GenerationHarness(generator, maxSequences: 1, maxQueue: 1);
        var running = harness.RunAsync(GenerationHarness.Request("a", maxTokens: 2));
        await GenerationHarness.WaitUntilAsync(() => generator.Started == 1);
        var queued = harness.RunAsync(GenerationHarness.Request("b", maxTokens: 2));

        var error = Assert.Throws<MaasException>(() => harness.Pipeline.GenerateAsync(GenerationHarness.Request("c", maxTokens: 2)));

        Assert.Equal(MaasErrorKind.TooManyRequests, error.Kind);
        generator.StepGate.Release(100);
        await Task.WhenAll(running, queued);
    }

    [Fact]
    public async Task GenerateAsync_KvCacheFull_LaterRequestWaitsUntilCellsFree()
    {
        // BOS + 4 characters + 5 tokens = 10 cells each; 25 cells hold two.
        var generator = new FakeTextGenerator(kvCapacity: 25) { StepGate = new SemaphoreSlim(0) };
        await using var harness = new GenerationHarness(generator);
        var runs = new[] { "aaaa", "bbbb", "cccc" }.Select(p => harness.RunAsync(GenerationHarness.Request(p, maxTokens: 5))).ToList();
        await harness.StepUntilAsync(() => generator.Started == 2);
        await harness.StepUntilAsync(() => generator.Batches.Any(b => b.Length == 2));
        Assert.Equal(2, generator.Started);

        generator.StepGate.Release(100);
        var results = await Task.WhenAll(runs);

        Assert.Equal(3, generator.Started);
        Assert.All(generator.Batches, batch => Assert.True(batch.Length <= 2));
        Assert.All(results, r => Assert.Equal(5, r.Last.Usage!.CompletionTokens));
    }

    [Fact]
    public async Task GenerateAsync_RequestLargerThanKvCache_ThrowsInvalidArgument()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(kvCapacity: 20));

        var error = Assert.Throws<MaasException>(() => harness.Pipeline.GenerateAsync(GenerationHarness.Request("abcd", maxTokens: 30)));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("max_tokens", error.Message);
    }

    [Fact]
    public async Task GenerateAsync_NoMaxTokens_DefaultShortenedToFitContext()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(FakeTextGenerator.Script("z", endWithEos: false), kvCapacity: 20), defaultMaxTokens: 100);

        var result = await harness.RunAsync(GenerationHarness.Request("abcd", maxTokens: null));

        Assert.Equal(15, result.Last.Usage!.CompletionTokens);
        Assert.Equal(FinishReasons.Length, result.Last.FinishReason);
    }

    [Fact]
    public async Task GenerateAsync_MaxTokensReached_FinishReasonLengthWithUsage()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(FakeTextGenerator.Script("hello world")));

        var result = await harness.RunAsync(GenerationHarness.Request("say hi", maxTokens: 5));

        Assert.Equal("hello", result.Text);
        Assert.Equal(FinishReasons.Length, result.Last.FinishReason);
        Assert.Equal(new GenerationUsage(7, 5), result.Last.Usage);
        Assert.All(result.Chunks.SkipLast(1), c => Assert.Null(c.Usage));
    }

    [Fact]
    public async Task GenerateAsync_EndOfGenerationToken_FinishReasonStopWithoutItsText()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(FakeTextGenerator.Script("ok.")));

        var result = await harness.RunAsync(GenerationHarness.Request("x", maxTokens: 50));

        Assert.Equal("ok.", result.Text);
        Assert.Equal(FinishReasons.Stop, result.Last.FinishReason);
        Assert.Equal(4, result.Last.Usage!.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_StopStringSpanningTokens_TextEndsBeforeIt()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(FakeTextGenerator.Script("hello world and more")));

        var result = await harness.RunAsync(GenerationHarness.Request("x", 50, "lo w", "zzz"));

        Assert.Equal("hel", result.Text);
        Assert.Equal(FinishReasons.Stop, result.Last.FinishReason);
        Assert.Equal(7, result.Last.Usage!.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_PartialStopPrefixThatDoesNotMatch_TextReleased()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(FakeTextGenerator.Script("a<|b<|end")));

        var result = await harness.RunAsync(GenerationHarness.Request("x", 50, "<|end|>"));

        Assert.Equal("a<|b<|end", result.Text);
        Assert.Equal(FinishReasons.Stop, result.Last.FinishReason);
        Assert.Equal("a", result.Chunks[0].Text);
    }

    [Fact]
    public async Task GenerateAsync_CharacterSplitAcrossTokens_EmittedWhole()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(FakeTextGenerator.Script("café!")));

        var result = await harness.RunAsync(GenerationHarness.Request("x", maxTokens: 50));

        Assert.Equal("café!", result.Text);
        Assert.DoesNotContain(result.Chunks, c => c.Text.Contains('\uFFFD'));
        Assert.Equal(7, result.Last.Usage!.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_LogprobsRequested_OneEntryPerTokenWithAlternatives()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(FakeTextGenerator.Script("abc")));
        var request = GenerationHarness.Request("x", maxTokens: 3) with { Logprobs = true, Sampling = new SamplingOptions { TopLogprobs = 2 } };

        var result = await harness.RunAsync(request);

        var logprobs = result.Chunks.SelectMany(c => c.Logprobs ?? []).ToList();
        Assert.Equal(["a", "b", "c"], logprobs.Select(l => l.Token));
        Assert.All(logprobs, l => Assert.Equal(2, l.TopLogprobs.Count));
        Assert.All(logprobs, l => Assert.Equal(-0.25f, l.Logprob));
    }

    [Fact]
    public async Task GenerateAsync_DeadlinePasses_FailsWithDeadlineExceededAndFreesSequence()
    {
        var time = new ManualTimeProvider();
        var generator = new FakeTextGenerator { StepGate = new SemaphoreSlim(0) };
        await using var harness = new GenerationHarness(generator, deadline: TimeSpan.FromSeconds(30), time: time);
        var run = harness.RunAsync(GenerationHarness.Request("slow", maxTokens: 100));
        await GenerationHarness.WaitUntilAsync(() => generator.Started == 1);
        generator.StepGate.Release(1);
        await GenerationHarness.WaitUntilAsync(() => generator.Batches.Count == 1);

        time.Advance(TimeSpan.FromSeconds(31));
        generator.StepGate.Release(100);

        var error = await Assert.ThrowsAsync<MaasException>(() => run);
        Assert.Equal(MaasErrorKind.DeadlineExceeded, error.Kind);
        await GenerationHarness.WaitUntilAsync(() => generator.LiveSequences == 0);
    }

    [Fact]
    public async Task DisposeAsync_RequestsRunning_EndWithUnavailableAndModelDisposed()
    {
        var generator = new FakeTextGenerator { StepGate = new SemaphoreSlim(0) };
        var harness = new GenerationHarness(generator);
        var run = harness.RunAsync(GenerationHarness.Request("a", maxTokens: 100));
        await GenerationHarness.WaitUntilAsync(() => generator.Started == 1);

        await harness.DisposeAsync();

        var error = await Assert.ThrowsAsync<MaasException>(() => run);
        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
        Assert.True(generator.Disposed);
        Assert.Equal(0, generator.LiveSequences);
    }
}
