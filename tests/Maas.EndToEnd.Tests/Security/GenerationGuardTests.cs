using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.OpenAi;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Token quotas per key on the generation endpoints (charged the actual usage, streamed or not) and the text
/// and token limits of a generation request.</summary>
public sealed class GenerationGuardTests(GenerationGuardFixture fixture) : IClassFixture<GenerationGuardFixture>
{
    private const string Model = GenerationGuardFixture.Model;

    [Fact]
    public async Task TokensPerMinute_StreamedAndPlainResponses_ChargedActualUsageThenRefusedUntilRefilled()
    {
        const int Quota = 60; // one token per second
        using var client = fixture.ClientFor("quota-key", Quota);
        double remaining = Quota;
        var served = 0;
        while (remaining >= 1)
        {
            // Alternate streamed (usage in the last event) and plain responses: both are charged what they used.
            var stream = served % 2 == 0;
            var usage = stream ? await StreamedUsageAsync(client) : await PlainUsageAsync(client);
            Assert.True(usage > 0);
            remaining -= usage;
            served++;
            Assert.True(served < 50, "the quota never ran out");
        }

        Assert.True(served >= 2, $"one request spent the whole quota ({Quota} tokens)");
        using (var refused = await client.PostAsync("/v1/completions", OpenAiHttp.Body(Completion(stream: false))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            var error = (await Json.ReadAsync(refused)).GetProperty("error");
            Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
            Assert.Contains("Token quota", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            var retry = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal((int)Math.Ceiling(1 - remaining), retry);

            // A streamed request is refused the same way, before any event.
            var stream = await OpenAiHttp.StreamAsync(client, "/v1/chat/completions", Chat(stream: true));
            Assert.Equal(HttpStatusCode.TooManyRequests, stream.Status);

            fixture.Time.Advance(TimeSpan.FromSeconds(retry));
        }

        Assert.True(await PlainUsageAsync(client) > 0);

        // Other keys have budgets of their own.
        using var other = fixture.ClientFor("other-key", Quota);
        Assert.True(await PlainUsageAsync(other) > 0);
    }

    [Fact]
    public async Task Limits_PromptOrMessagesTooLong_413InOpenAiShape()
    {
        var prompt = new string('a', GenerationGuardFixture.MaxStringLength + 1);
        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/v1/completions",
            $$"""{"model": "{{Model}}", "prompt": "{{prompt}}", "max_tokens": 2}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("at most 300", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        var half = new string('b', (GenerationGuardFixture.MaxStringLength / 2) + 1);
        (status, body) = await Json.PostAsync(fixture.Server.Client, "/v1/chat/completions",
            $$"""{"model": "{{Model}}", "messages": [{"role": "user", "content": "{{half}}"}, {"role": "user", "content": "{{half}}"}]}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Limits_MaxTokensOverLimit_400()
    {
        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/v1/completions",
            $$"""{"model": "{{Model}}", "prompt": "hi", "max_tokens": {{GenerationGuardFixture.MaxCompletionTokens + 1}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 16", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_PromptTokensOverLimit_400NamingTheCount()
    {
        var words = string.Join(' ', Enumerable.Range(0, 120).Select(i => ((char)('a' + (i % 26))).ToString()));
        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/v1/completions",
            $$"""{"model": "{{Model}}", "prompt": "{{words}}", "max_tokens": 2}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("tokens; this server accepts at most 40", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static string Completion(bool stream) =>
        $$"""{"model": "{{Model}}", "prompt": "Once upon a time", "max_tokens": 8, "temperature": 0, "stream": {{(stream ? "true" : "false")}}, "stream_options": {{(stream ? "{\"include_usage\": true}" : "null")}}}""";

    private static string Chat(bool stream) =>
        $$"""{"model": "{{Model}}", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 8, "temperature": 0, "stream": {{(stream ? "true" : "false")}}, "stream_options": {{(stream ? "{\"include_usage\": true}" : "null")}}}""";

    private static async Task<int> PlainUsageAsync(HttpClient client)
    {
        var (status, body) = await Json.PostAsync(client, "/v1/completions", Completion(stream: false));
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        return body.GetProperty("usage").GetProperty("total_tokens").GetInt32();
    }

    private static async Task<int> StreamedUsageAsync(HttpClient client)
    {
        var stream = await OpenAiHttp.StreamAsync(client, "/v1/chat/completions", Chat(stream: true));
        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.True(stream.Done);
        var last = stream.Events[^1];
        Assert.Equal(JsonValueKind.Object, last.GetProperty("usage").ValueKind);
        return last.GetProperty("usage").GetProperty("total_tokens").GetInt32();
    }
}
