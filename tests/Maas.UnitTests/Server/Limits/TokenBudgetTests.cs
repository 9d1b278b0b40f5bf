using Maas.Serving.Generation;
using Maas.Server.Security.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Server.Limits;

public sealed class TokenBudgetTests
{
    [Fact]
    public void TryAdmit_ChargedPastQuota_RefusesUntilPaidBack()
    {
        var time = new FakeTimeProvider();
        var budget = new TokenBudget(600, time); // 10 tokens per second

        Assert.True(budget.TryAdmit(out _));
        budget.Charge(700);
        Assert.False(budget.TryAdmit(out var retry));

        // -100 left: 101 tokens to earn back at 10 per second.
        Assert.Equal(TimeSpan.FromSeconds(10.1), retry);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(budget.TryAdmit(out _));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(budget.TryAdmit(out _));
    }

    [Fact]
    public void Available_AfterLongIdle_CappedAtQuota()
    {
        var time = new FakeTimeProvider();
        var budget = new TokenBudget(100, time);
        budget.Charge(50);
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(100, budget.Available);
        Assert.True(budget.IsFull);
    }

    [Fact]
    public async Task ChargeAsync_GenerationFinishes_ChargesReportedUsage()
    {
        var budget = new TokenBudget(1000, new FakeTimeProvider());
        var chunks = Chunks(new GenerationChunk("a"), new GenerationChunk("b", FinishReason: "stop", Usage: new GenerationUsage(30, 12)));

        var texts = new List<string>();
        await foreach (var chunk in TokenMeter.ChargeAsync(chunks, budget, promptTokens: 30, _ => throw new InvalidOperationException("usage was reported")))
        {
            texts.Add(chunk.Text);
        }

        Assert.Equal(["a", "b"], texts);
        Assert.Equal(1000 - 42, budget.Available);
    }

    [Fact]
    public async Task ChargeAsync_ClientStopsEarly_ChargesPromptAndTextSoFar()
    {
        var budget = new TokenBudget(1000, new FakeTimeProvider());
        var chunks = Chunks(new GenerationChunk("hello"), new GenerationChunk(" world"), new GenerationChunk("!", FinishReason: "stop", Usage: new GenerationUsage(5, 3)));

        await foreach (var chunk in TokenMeter.ChargeAsync(chunks, budget, promptTokens: 5, text => text.Length + 1))
        {
            if (chunk.Text == " world")
            {
                break;
            }
        }

        // Prompt 5 plus "hello world" counted as 11 tokens (the counter's BOS taken off).
        Assert.Equal(1000 - 16, budget.Available);
    }

    [Fact]
    public async Task ChargeAsync_NoBudget_PassesChunksThrough()
    {
        var chunks = Chunks(new GenerationChunk("x", FinishReason: "stop", Usage: new GenerationUsage(1, 1)));
        var count = 0;
        await foreach (var _ in TokenMeter.ChargeAsync(chunks, null, 1, _ => 0))
        {
            count++;
        }

        Assert.Equal(1, count);
    }

    private static async IAsyncEnumerable<GenerationChunk> Chunks(params GenerationChunk[] chunks)
    {
        foreach (var chunk in chunks)
        {
            await Task.Yield();
            yield return chunk;
        }
    }
}
