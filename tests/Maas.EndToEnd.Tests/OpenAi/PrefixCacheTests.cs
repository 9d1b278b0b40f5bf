using System.Net;
using System.Text.RegularExpressions;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>Prefix caching through the server: reused prompt tokens in <c>usage.prompt_tokens_details.cached_tokens</c>
/// (JSON and streamed), the same greedy text as without reuse, and the prefix-cache metrics on <c>/metrics</c>.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed partial class PrefixCacheTests(LlamaServerFixture fixture)
{
    private const string Model = LlamaServerFixture.Model;

    [Fact]
    public async Task Completions_SamePromptTwice_SecondReportsCachedTokensAndSameText()
    {
        // Words no other test sends, so that only this test's first request can be the cached one.
        var prompt = "three tiny llama user system token " + string.Join(' ', Enumerable.Repeat("yes no", 20));

        var (_, first) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 10));
        var (status, second) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 10));

        Assert.Equal(HttpStatusCode.OK, status);
        var promptTokens = fixture.CountPromptTokens(prompt);
        Assert.True(Cached(first) < promptTokens - 1, $"first request: {Cached(first)} cached of {promptTokens}");
        Assert.Equal(promptTokens - 1, Cached(second));
        Assert.Equal(first.GetProperty("choices")[0].GetProperty("text").GetString(), second.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ChatStream_SharedSystemPrompt_UsageChunkReportsCachedTokensAndMetricsCountHits()
    {
        var system = "you are three tiny llama models and one test " + string.Join(' ', Enumerable.Repeat("assistant token", 25));
        string Body(string user) => $$"""
            {"model": "{{Model}}", "max_tokens": 6, "temperature": 0, "stream": true, "stream_options": {"include_usage": true},
             "messages": [{"role": "system", "content": "{{system}}"}, {"role": "user", "content": "{{user}}"}]}
            """;

        var first = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/chat/completions", Body("hello world"));
        var second = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/chat/completions", Body("one two three"));

        Assert.True(first.Done && second.Done);
        var usage = second.Events[^1].GetProperty("usage");
        var cached = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        var systemTokens = fixture.Tokenize(system, addSpecialTokens: false).Count;
        Assert.True(cached >= systemTokens, $"{cached} cached; the system prompt alone is {systemTokens} tokens");
        Assert.True(cached < usage.GetProperty("prompt_tokens").GetInt32());

        var metrics = await fixture.Client.GetStringAsync("/metrics");
        Assert.Matches(HitsLine(), metrics);
        Assert.Contains("maas_generation_prompt_tokens_cached_total", metrics, StringComparison.Ordinal);
        Assert.Contains("maas_generation_prefix_cache_misses_total", metrics, StringComparison.Ordinal);
    }

    private static int Cached(System.Text.Json.JsonElement body) =>
        body.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();

    [GeneratedRegex("""^maas_generation_prefix_cache_hits_total\{[^}]*\} [1-9][0-9.eE+]*$""", RegexOptions.Multiline)]
    private static partial Regex HitsLine();
}
