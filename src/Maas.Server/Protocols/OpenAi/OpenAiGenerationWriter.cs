using System.Buffers;
using System.Text;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Server.Http;
using Maas.Serving.Generation;
using Maas.Serving.Generation.Tools;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>Turns a generation's chunks into an OpenAI response: one JSON object, or server-sent events.</summary>
/// <remarks>
/// A stream is <c>data: {chunk}\n\n</c> events ending with <c>data: [DONE]\n\n</c>, each flushed as soon as it is
/// written so tokens reach the client as they are made. An error after the stream started cannot change the status
/// any more, so it is sent as a last <c>data: {"error": {...}}</c> event and the stream ends without <c>[DONE]</c>.
/// </remarks>
internal static class OpenAiGenerationWriter
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static async Task WriteJsonAsync(HttpResponse http, OpenAiGenerationResponse response, IAsyncEnumerable<GenerationChunk> chunks,
        ToolCallParser? toolCalls, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var logprobs = new List<TokenLogprob>();
        GenerationChunk? last = null;
        await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            text.Append(chunk.Text);
            logprobs.AddRange(chunk.Logprobs ?? []);
            last = chunk;
        }

        if (last is not { FinishReason: { } finish, Usage: { } usage })
        {
            throw new MaasException(MaasErrorKind.Internal, "The generation ended without a finish reason.");
        }

        var content = text.ToString();
        IReadOnlyList<ChatToolCall> calls = [];
        if (toolCalls is not null)
        {
            var deltas = new List<ToolCallDelta>();
            toolCalls.Feed(content, deltas);
            toolCalls.Finish(deltas);
            (content, calls) = ToolCallParser.Merge(deltas);
            finish = FinishReason(finish, toolCalls);
        }

        await JsonBody.SendAsync(http, json => OpenAiGenerationJson.WriteCompletion(json, response, content, calls, logprobs, finish, usage), cancellationToken)
            .ConfigureAwait(false);
    }

    public static async Task WriteEventsAsync(HttpResponse http, OpenAiGenerationResponse response, IAsyncEnumerable<GenerationChunk> chunks,
        bool includeUsage, ToolCallParser? toolCalls, CancellationToken cancellationToken)
    {
        http.ContentType = "text/event-stream";
        http.Headers.CacheControl = "no-cache";
        http.Headers["X-Accel-Buffering"] = "no";
        var buffer = new ArrayBufferWriter<byte>();
        var json = new Utf8JsonWriter(buffer, ServerJson.WriterOptions);
        var deltas = new List<ToolCallDelta>();
        try
        {
            var textOffset = 0;
            if (response.Chat)
            {
                OpenAiGenerationJson.WriteChunk(json, response, "assistant", string.Empty, null, 0, null, includeUsage);
                await SendAsync(http, json, buffer, cancellationToken).ConfigureAwait(false);
            }

            GenerationUsage? usage = null;
            try
            {
                await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    if (toolCalls is not null)
                    {
                        deltas.Clear();
                        toolCalls.Feed(chunk.Text, deltas);
                        if (chunk.FinishReason is not null)
                        {
                            toolCalls.Finish(deltas);
                        }

                        await SendDeltasAsync(http, json, buffer, response, deltas, chunk.Logprobs, includeUsage, cancellationToken).ConfigureAwait(false);
                    }
                    else if (chunk.Text.Length > 0 || chunk.Logprobs is { Count: > 0 })
                    {
                        OpenAiGenerationJson.WriteChunk(json, response, null, chunk.Text, chunk.Logprobs, textOffset, null, includeUsage);
                        await SendAsync(http, json, buffer, cancellationToken).ConfigureAwait(false);
                        textOffset += chunk.Text.Length;
                    }

                    if (chunk.FinishReason is { } finish)
                    {
                        finish = toolCalls is null ? finish : FinishReason(finish, toolCalls);
                        OpenAiGenerationJson.WriteChunk(json, response, null, response.Chat ? null : string.Empty, null, textOffset, finish, includeUsage);
                        await SendAsync(http, json, buffer, cancellationToken).ConfigureAwait(false);
                        usage = chunk.Usage;
                    }
                }
            }
            catch (MaasException ex)
            {
                await SendErrorAsync(http, ex, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (includeUsage && usage is not null)
            {
                OpenAiGenerationJson.WriteUsageChunk(json, response, usage);
                await SendAsync(http, json, buffer, cancellationToken).ConfigureAwait(false);
            }

            await http.Body.WriteAsync(Done, cancellationToken).ConfigureAwait(false);
            await http.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await json.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A generation that ended normally after calling tools ends with <c>tool_calls</c>; one cut off keeps <c>length</c>.</summary>
    private static string FinishReason(string finish, ToolCallParser toolCalls) =>
        finish == FinishReasons.Stop && toolCalls.CallCount > 0 ? "tool_calls" : finish;

    /// <summary>One event per content or tool-call piece; the chunk's log-probabilities ride on the first (or on an empty content event).</summary>
    private static async Task SendDeltasAsync(HttpResponse http, Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, OpenAiGenerationResponse response,
        List<ToolCallDelta> deltas, IReadOnlyList<TokenLogprob>? logprobs, bool includeUsage, CancellationToken cancellationToken)
    {
        if (deltas.Count == 0 && logprobs is { Count: > 0 })
        {
            OpenAiGenerationJson.WriteChunk(json, response, null, string.Empty, logprobs, 0, null, includeUsage);
            await SendAsync(http, json, buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < deltas.Count; i++)
        {
            var delta = deltas[i];
            OpenAiGenerationJson.WriteChunk(json, response, null, delta.Content, i == 0 ? logprobs : null, 0, null, includeUsage,
                delta.IsContent ? null : delta);
            await SendAsync(http, json, buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task SendAsync(HttpResponse http, Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        await http.Body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
        await http.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await http.Body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
        await http.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        buffer.ResetWrittenCount();
        json.Reset(buffer);
    }

    private static async Task SendErrorAsync(HttpResponse http, MaasException error, CancellationToken cancellationToken)
    {
        var (status, message) = ErrorHandlingMiddleware.Describe(error);
        var type = status switch { 429 => "rate_limit_error", >= 500 => "server_error", _ => "invalid_request_error" };
        var body = JsonSerializer.SerializeToUtf8Bytes(new OpenAiErrorBody(new OpenAiError(message, type, null, null)), ServerJson.Errors.OpenAiErrorBody);
        await http.Body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
        await http.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await http.Body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
        await http.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
