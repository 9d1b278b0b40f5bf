using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Maas.Server.Protocols.OpenAi;
using Maas.Serving.Generation;
using Microsoft.AspNetCore.Http;

namespace Maas.UnitTests.Serving.Generation;

/// <summary>Cached prompt tokens from the engine's prefix cache, as the scheduler reports them: usage, metrics, and
/// OpenAI's <c>usage.prompt_tokens_details.cached_tokens</c>.</summary>
public sealed class PrefixCacheReportingTests
{
    [Fact]
    public async Task GenerateAsync_EngineReusesAPrefix_UsageCarriesCachedTokens()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator { PrefixCache = true });

        var first = await harness.RunAsync(GenerationHarness.Request("you are a test. hello", maxTokens: 4));
        var second = await harness.RunAsync(GenerationHarness.Request("you are a test. bye", maxTokens: 4));

        Assert.Equal(0, first.Last.Usage!.CachedTokens);
        Assert.Equal(1 + "you are a test. ".Length, second.Last.Usage!.CachedTokens); // BOS and the shared text
        Assert.Equal(first.Last.Usage.PromptTokens - 2, second.Last.Usage.PromptTokens);
    }

    [Fact]
    public async Task GenerateAsync_HitsMissesAndEvictions_CountedInMetrics()
    {
        var generator = new FakeTextGenerator { PrefixCache = true };
        await using var harness = new GenerationHarness(generator);
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (harness.Meters.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.Start();

        // Without BOS, so that "xyz" shares nothing with "abc".
        await harness.RunAsync(GenerationHarness.Request("abc", maxTokens: 2) with { AddSpecialTokens = false });
        await harness.RunAsync(GenerationHarness.Request("xyz", maxTokens: 2) with { AddSpecialTokens = false });
        generator.PrefixCacheEvictions = 3;
        await harness.RunAsync(GenerationHarness.Request("abd", maxTokens: 2) with { AddSpecialTokens = false });

        Assert.Equal(1, totals.GetValueOrDefault("maas.generation.prefix_cache.hits"));
        Assert.Equal(2, totals.GetValueOrDefault("maas.generation.prefix_cache.misses"));
        Assert.Equal(2, totals.GetValueOrDefault("maas.generation.prompt_tokens.cached")); // "a", "b"
        Assert.Equal(9, totals.GetValueOrDefault("maas.generation.prompt_tokens"));
        Assert.Equal(3, totals.GetValueOrDefault("maas.generation.prefix_cache.evictions"));
    }

    [Fact]
    public async Task WriteEventsAsync_UsageChunk_HasPromptTokensDetailsWithCachedTokens()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var response = OpenAiGenerationResponse.Create(true, "tiny", logprobs: false, TimeProvider.System);

        await OpenAiGenerationWriter.WriteEventsAsync(context.Response, response, Chunks(new("Hi"), new("", null, "stop", new GenerationUsage(40, 2, 32))), true, null, CancellationToken.None);

        var body = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        var usage = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..])
            .Where(e => e != "[DONE]")
            .Select(e => JsonDocument.Parse(e).RootElement)
            .Last()
            .GetProperty("usage");
        Assert.Equal(40, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(32, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task WriteJsonAsync_Completion_HasPromptTokensDetailsWithCachedTokens()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var response = OpenAiGenerationResponse.Create(false, "tiny", logprobs: false, TimeProvider.System);

        await OpenAiGenerationWriter.WriteJsonAsync(context.Response, response, Chunks(new GenerationChunk("x", null, "length", new GenerationUsage(10, 1))), null, CancellationToken.None);

        using var json = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal(0, json.RootElement.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

#pragma warning disable CS1998 // Test sources: async iterators without awaits.
    private static async IAsyncEnumerable<GenerationChunk> Chunks(params GenerationChunk[] chunks)
    {
        foreach (var chunk in chunks)
        {
            yield return chunk;
        }
    }
#pragma warning restore CS1998
}
