using System.Text;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Server.Protocols.OpenAi;
using Maas.Serving.Generation;
using Microsoft.AspNetCore.Http;

namespace Maas.UnitTests.Serving.Generation;

public sealed class OpenAiGenerationWriterTests
{
    [Fact]
    public async Task WriteEventsAsync_ChatStreamWithUsage_RoleFirstDeltasFinishUsageThenDone()
    {
        var (body, events) = await StreamAsync(chat: true, includeUsage: true, Chunks(new("Hel"), new("lo"), new("", null, "stop", new GenerationUsage(5, 3))));

        Assert.EndsWith("data: [DONE]\n\n", body);
        Assert.Equal(5, events.Count);
        Assert.Equal("assistant", events[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.All(events.Take(4), e => Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString()));
        Assert.Equal("Hello", string.Concat(events.Skip(1).Take(2).Select(e => e.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString())));
        Assert.Equal("stop", events[3].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, events[1].GetProperty("usage").ValueKind);
        Assert.Equal(0, events[4].GetProperty("choices").GetArrayLength());
        Assert.Equal(8, events[4].GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Single(events.Select(e => e.GetProperty("id").GetString()).Distinct());
    }

    [Fact]
    public async Task WriteEventsAsync_CompletionStream_TextChunksWithoutUsageField()
    {
        var (_, events) = await StreamAsync(chat: false, includeUsage: false, Chunks(new("ab"), new("c", null, "length", new GenerationUsage(2, 2))));

        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("text_completion", e.GetProperty("object").GetString()));
        Assert.All(events, e => Assert.False(e.TryGetProperty("usage", out _)));
        Assert.Equal("abc", string.Concat(events.Select(e => e.GetProperty("choices")[0].GetProperty("text").GetString())));
        Assert.Equal("length", events[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task WriteEventsAsync_ErrorMidStream_ErrorEventAndNoDone()
    {
        var (body, events) = await StreamAsync(chat: true, includeUsage: false, Failing());

        Assert.DoesNotContain("[DONE]", body);
        Assert.Equal("The generation took too long.", events[^1].GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task WriteJsonAsync_ChatCompletion_MessageFinishReasonAndUsage()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var response = OpenAiGenerationResponse.Create(true, "tiny@prod", logprobs: false, TimeProvider.System);

        await OpenAiGenerationWriter.WriteJsonAsync(context.Response, response, Chunks(new("Hi "), new("there", null, "stop", new GenerationUsage(4, 2))), null, CancellationToken.None);

        using var json = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray());
        var root = json.RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("tiny@prod", root.GetProperty("model").GetString());
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString());
        var choice = root.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("Hi there", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(6, root.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    private static async Task<(string Body, List<JsonElement> Events)> StreamAsync(bool chat, bool includeUsage, IAsyncEnumerable<GenerationChunk> chunks)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var response = OpenAiGenerationResponse.Create(chat, "tiny", logprobs: false, TimeProvider.System);

        await OpenAiGenerationWriter.WriteEventsAsync(context.Response, response, chunks, includeUsage, null, CancellationToken.None);

        Assert.Equal("text/event-stream", context.Response.ContentType);
        var body = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => Assert.IsType<string>(e.StartsWith("data: ", StringComparison.Ordinal) ? e["data: ".Length..] : null))
            .Where(e => e != "[DONE]")
            .Select(e => JsonDocument.Parse(e).RootElement)
            .ToList();
        return (body, events);
    }

#pragma warning disable CS1998 // Test sources: async iterators without awaits.
    private static async IAsyncEnumerable<GenerationChunk> Chunks(params GenerationChunk[] chunks)
    {
        foreach (var chunk in chunks)
        {
            yield return chunk;
        }
    }

    private static async IAsyncEnumerable<GenerationChunk> Failing()
    {
        yield return new GenerationChunk("partial");
        throw new MaasException(MaasErrorKind.DeadlineExceeded, "The generation took too long.");
    }
#pragma warning restore CS1998
}
