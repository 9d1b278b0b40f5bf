using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary><c>POST /v1/completions</c> over raw HTTP (the official client has no legacy completions): JSON, server-sent events, usage and finish reasons.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed partial class CompletionsTests(LlamaServerFixture fixture)
{
    private const string Model = LlamaServerFixture.Model;

    [Fact]
    public async Task Completions_MaxTokensReached_ReturnsTextUsageAndLength()
    {
        const string prompt = "hello world";

        var (status, body) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 12));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.Equal(Model, body.GetProperty("model").GetString());
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.False(string.IsNullOrEmpty(choice.GetProperty("text").GetString()));
        var usage = body.GetProperty("usage");
        Assert.Equal(fixture.CountPromptTokens(prompt), usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(12, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 12, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_Stream_SendsDataEventsEndingWithDone()
    {
        var stream = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, "one two three", 10, stream: true));

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("text/event-stream", stream.ContentType);
        Assert.True(stream.Done, "the stream must end with data: [DONE]");
        Assert.All(stream.Events, e => Assert.Equal("text_completion", e.GetProperty("object").GetString()));
        Assert.All(stream.Events, e => Assert.False(e.TryGetProperty("usage", out _), "usage is sent only when asked for"));
        Assert.Equal(["length"], stream.FinishReasons);
        Assert.Equal("length", stream.Events[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Single(stream.Events.Select(e => e.GetProperty("id").GetString()).Distinct());
        Assert.NotEmpty(stream.Text);
    }

    [Fact]
    public async Task Completions_StreamWithIncludeUsage_EndsWithUsageChunk()
    {
        const string prompt = "the model is a test";

        var stream = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/completions",
            OpenAiHttp.Completion(Model, prompt, 7, stream: true, extra: "\"stream_options\": {\"include_usage\": true}"));

        Assert.True(stream.Done);
        var last = stream.Events[^1];
        Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
        var usage = last.GetProperty("usage");
        Assert.Equal(fixture.CountPromptTokens(prompt), usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(fixture.CountPromptTokens(prompt) + 7, usage.GetProperty("total_tokens").GetInt32());

        // Every chunk before the last carries "usage": null, as OpenAI does.
        Assert.All(stream.Events.Take(stream.Events.Count - 1), e => Assert.Equal(JsonValueKind.Null, e.GetProperty("usage").ValueKind));
    }

    [Fact]
    public async Task Completions_StopStringInGreedyOutput_CutsBeforeItWithStop()
    {
        const string prompt = "yes no";
        var (_, free) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 40));
        var fullText = free.GetProperty("choices")[0].GetProperty("text").GetString()!;

        // A run of letters past the start of the greedy text: the same request with it as a stop string must end there.
        var word = Letters().Matches(fullText).First(m => m.Index > 0);
        var expected = fullText[..fullText.IndexOf(word.Value, StringComparison.Ordinal)];
        var withStop = OpenAiHttp.Completion(Model, prompt, 40, extra: $"\"stop\": [{Json.Quote(word.Value)}]");

        var (status, body) = await Json.PostAsync(fixture.Client, "/v1/completions", withStop);
        var stream = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/completions", withStop.Replace("\"stream\": false", "\"stream\": true", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(expected, choice.GetProperty("text").GetString());
        Assert.True(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32() < 40);
        Assert.Equal(expected, stream.Text);
        Assert.Equal(["stop"], stream.FinishReasons);
    }

    [Fact]
    public async Task Completions_StreamedChunks_ConcatenateToNonStreamedText()
    {
        const string prompt = "the tiny llama";

        var (_, whole) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 64));
        var stream = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 64, stream: true));

        var text = whole.GetProperty("choices")[0].GetProperty("text").GetString();
        Assert.True(stream.Events.Count > 2, "a 64-token generation should arrive in several chunks");
        Assert.Equal(text, stream.Text);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("the model is a test")]
    [InlineData("héllo, wörld ✓ 42")]
    public async Task Completions_Greedy_MatchesInProcessGreedyDecoding(string prompt)
    {
        var expected = await fixture.ReferenceGreedyAsync(prompt, 48);

        var (status, body) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 48));

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(expected.Text, choice.GetProperty("text").GetString());
        Assert.Equal(expected.Tokens, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(expected.Ended ? "stop" : "length", choice.GetProperty("finish_reason").GetString());
    }

    [GeneratedRegex("[A-Za-z]{3,}")]
    private static partial Regex Letters();
}
