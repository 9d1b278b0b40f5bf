using System.Net;
using System.Text;
using System.Text.Json;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>Raw HTTP calls to the OpenAI generation endpoints, including server-sent event streams.</summary>
internal static class OpenAiHttp
{
    /// <summary>A whole event stream: each <c>data:</c> payload in order, and whether it ended with <c>[DONE]</c>.</summary>
    public sealed record EventStream(HttpStatusCode Status, string? ContentType, IReadOnlyList<JsonElement> Events, bool Done)
    {
        /// <summary>The text of every choice delta, joined (<c>choices[0].text</c> or <c>choices[0].delta.content</c>).</summary>
        public string Text => string.Concat(Events.Select(ChunkText));

        /// <summary>The finish reasons of the chunks that carry one.</summary>
        public IReadOnlyList<string> FinishReasons => Events
            .Where(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0 && c[0].GetProperty("finish_reason").ValueKind == JsonValueKind.String)
            .Select(e => e.GetProperty("choices")[0].GetProperty("finish_reason").GetString()!)
            .ToList();
    }

    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Posts a streaming request and reads the whole stream.</summary>
    public static async Task<EventStream> StreamAsync(HttpClient client, string path, string json, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Body(json) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!response.IsSuccessStatusCode)
        {
            return new EventStream(response.StatusCode, contentType, [await Infrastructure.Json.ReadAsync(response)], false);
        }

        var events = new List<JsonElement>();
        var done = false;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            Assert.StartsWith("data: ", line);
            Assert.False(done, "nothing may follow data: [DONE]");
            var payload = line["data: ".Length..];
            if (payload == "[DONE]")
            {
                done = true;
                continue;
            }

            using var document = JsonDocument.Parse(payload);
            events.Add(document.RootElement.Clone());
        }

        return new EventStream(response.StatusCode, contentType, events, done);
    }

    public static string ChunkText(JsonElement chunk)
    {
        if (!chunk.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0)
        {
            return string.Empty;
        }

        var choice = choices[0];
        if (choice.TryGetProperty("text", out var text))
        {
            return text.GetString() ?? string.Empty;
        }

        return choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Empty;
    }

    /// <summary>A greedy <c>/v1/completions</c> body.</summary>
    public static string Completion(string model, string prompt, int maxTokens, bool stream = false, string? extra = null) =>
        $$"""{"model": {{Infrastructure.Json.Quote(model)}}, "prompt": {{Infrastructure.Json.Quote(prompt)}}, "max_tokens": {{maxTokens}}, "temperature": 0, "stream": {{(stream ? "true" : "false")}}{{(extra is null ? "" : ", " + extra)}}}""";
}
