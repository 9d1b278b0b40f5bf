using System.Text.Json;
using Maas.Serving.Generation;
using Maas.Serving.Generation.Tools;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>Writes chat and text completion objects and stream chunks in OpenAI's shapes.</summary>
internal static class OpenAiGenerationJson
{
    /// <summary>A whole (non-streamed) response: one choice with all the text.</summary>
    public static void WriteCompletion(Utf8JsonWriter json, OpenAiGenerationResponse response, string text, IReadOnlyList<ChatToolCall> toolCalls,
        IReadOnlyList<TokenLogprob> logprobs, string finishReason, GenerationUsage usage)
    {
        json.WriteStartObject();
        WriteHeader(json, response, response.Object);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (response.Chat)
        {
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            if (toolCalls.Count > 0 && text.Length == 0)
            {
                json.WriteNull("content");
            }
            else
            {
                json.WriteString("content", text);
            }

            if (toolCalls.Count > 0)
            {
                json.WriteStartArray("tool_calls");
                foreach (var call in toolCalls)
                {
                    json.WriteStartObject();
                    json.WriteString("id", call.Id);
                    json.WriteString("type", "function");
                    json.WriteStartObject("function");
                    json.WriteString("name", call.Name);
                    json.WriteString("arguments", call.Arguments);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", text);
        }

        WriteLogprobs(json, response, logprobs, 0);
        json.WriteString("finish_reason", finishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    /// <summary>One stream chunk; <paramref name="role"/> set on a chat stream's first chunk.</summary>
    public static void WriteChunk(Utf8JsonWriter json, OpenAiGenerationResponse response, string? role, string? text,
        IReadOnlyList<TokenLogprob>? logprobs, int textOffset, string? finishReason, bool includeUsage, ToolCallDelta? toolCall = null)
    {
        json.WriteStartObject();
        WriteHeader(json, response, response.ChunkObject);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (response.Chat)
        {
            json.WriteStartObject("delta");
            if (role is not null)
            {
                json.WriteString("role", role);
            }

            if (text is not null)
            {
                json.WriteString("content", text);
            }

            if (toolCall is { } call)
            {
                WriteToolCallDelta(json, call);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", text ?? string.Empty);
        }

        WriteLogprobs(json, response, logprobs ?? [], textOffset);
        if (finishReason is null)
        {
            json.WriteNull("finish_reason");
        }
        else
        {
            json.WriteString("finish_reason", finishReason);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        if (includeUsage)
        {
            json.WriteNull("usage");
        }

        json.WriteEndObject();
    }

    /// <summary>The last chunk of a stream with <c>include_usage</c>: no choices, the usage.</summary>
    public static void WriteUsageChunk(Utf8JsonWriter json, OpenAiGenerationResponse response, GenerationUsage usage)
    {
        json.WriteStartObject();
        WriteHeader(json, response, response.ChunkObject);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    /// <summary>OpenAI's streamed call: index, id, type and name on the first piece, then argument fragments.</summary>
    private static void WriteToolCallDelta(Utf8JsonWriter json, ToolCallDelta call)
    {
        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", call.Index);
        if (call.Id is not null)
        {
            json.WriteString("id", call.Id);
            json.WriteString("type", "function");
        }

        json.WriteStartObject("function");
        if (call.Name is not null)
        {
            json.WriteString("name", call.Name);
        }

        json.WriteString("arguments", call.Arguments);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteHeader(Utf8JsonWriter json, OpenAiGenerationResponse response, string type)
    {
        json.WriteString("id", response.Id);
        json.WriteString("object", type);
        json.WriteNumber("created", response.Created);
        json.WriteString("model", response.Model);
    }

    private static void WriteUsage(Utf8JsonWriter json, GenerationUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteLogprobs(Utf8JsonWriter json, OpenAiGenerationResponse response, IReadOnlyList<TokenLogprob> logprobs, int textOffset)
    {
        if (!response.Logprobs)
        {
            json.WriteNull("logprobs");
            return;
        }

        json.WriteStartObject("logprobs");
        if (response.Chat)
        {
            json.WriteStartArray("content");
            foreach (var token in logprobs)
            {
                json.WriteStartObject();
                WriteToken(json, token.Token, token.Logprob, token.Bytes);
                json.WriteStartArray("top_logprobs");
                foreach (var top in token.TopLogprobs)
                {
                    json.WriteStartObject();
                    WriteToken(json, top.Token, top.Logprob, top.Bytes);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }
        else
        {
            json.WriteStartArray("tokens");
            foreach (var token in logprobs)
            {
                json.WriteStringValue(token.Token);
            }

            json.WriteEndArray();
            json.WriteStartArray("token_logprobs");
            foreach (var token in logprobs)
            {
                json.WriteNumberValue(token.Logprob);
            }

            json.WriteEndArray();
            json.WriteStartArray("top_logprobs");
            foreach (var token in logprobs)
            {
                json.WriteStartObject();
                foreach (var top in token.TopLogprobs.DistinctBy(t => t.Token))
                {
                    json.WriteNumber(top.Token, top.Logprob);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("text_offset");
            var offset = textOffset;
            foreach (var token in logprobs)
            {
                json.WriteNumberValue(offset);
                offset += token.Token.Length;
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter json, string token, float logprob, byte[] bytes)
    {
        json.WriteString("token", token);
        json.WriteNumber("logprob", logprob);
        json.WriteStartArray("bytes");
        foreach (var b in bytes)
        {
            json.WriteNumberValue(b);
        }

        json.WriteEndArray();
    }
}
