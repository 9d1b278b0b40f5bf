using System.Text.Json;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Serving.Generation;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>Reads and validates a completions or chat completions body (OpenAI's field names and ranges).</summary>
/// <remarks>Fields this server does not use (<c>user</c>, <c>metadata</c>, ...) are accepted and ignored, as OpenAI SDKs send them freely.</remarks>
internal static class OpenAiGenerationRequestReader
{
    private const int MaxStops = 4;
    private const int MaxTopLogprobs = 20;
    private const int MaxLogitBias = 1024;

    public static OpenAiGenerationRequest Read(JsonElement root, bool chat)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("The body must be a JSON object.");
        }

        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } name
            ? name
            : throw MaasException.InvalidArgument("'model' is required and must be a string.");
        var n = Integer(root, "n") ?? 1;
        if (n != 1)
        {
            throw MaasException.InvalidArgument("'n' must be 1: this server returns one choice per request.");
        }

        var maxTokens = Integer(root, "max_completion_tokens") ?? Integer(root, "max_tokens");
        if (maxTokens is < 1)
        {
            throw MaasException.InvalidArgument("'max_tokens' must be at least 1.");
        }

        var (logprobs, topLogprobs) = chat ? ChatLogprobs(root) : CompletionLogprobs(root);
        var sampling = new SamplingOptions
        {
            Temperature = (float)(Number(root, "temperature", 0, 2) ?? 1),
            TopP = (float)(Number(root, "top_p", 0, 1) ?? 1),
            PresencePenalty = (float)(Number(root, "presence_penalty", -2, 2) ?? 0),
            FrequencyPenalty = (float)(Number(root, "frequency_penalty", -2, 2) ?? 0),
            TopK = TopK(root),
            MinP = (float)(Number(root, "min_p", 0, 1) ?? 0),
            RepetitionPenalty = RepetitionPenalty(root),
            LogitBias = LogitBias(root),
            TopLogprobs = topLogprobs,
            Seed = Integer(root, "seed") is { } seed ? unchecked((uint)seed) : null,
            Grammar = OpenAiResponseFormat.Grammar(root),
        };
        var stream = Boolean(root, "stream") ?? false;
        var includeUsage = false;
        if (root.TryGetProperty("stream_options", out var options) && options.ValueKind != JsonValueKind.Null)
        {
            if (options.ValueKind != JsonValueKind.Object)
            {
                throw MaasException.InvalidArgument("'stream_options' must be an object.");
            }

            includeUsage = Boolean(options, "include_usage") ?? false;
        }

        var generation = new GenerationRequest
        {
            Prompt = string.Empty,
            MaxTokens = maxTokens is { } limit ? (int)Math.Min(limit, int.MaxValue) : null,
            Sampling = sampling,
            Stop = Stops(root),
            Logprobs = logprobs,
        };
        return chat
            ? new OpenAiGenerationRequest(model, null, Messages(root), generation, stream, includeUsage, OpenAiToolsReader.Read(root))
            : new OpenAiGenerationRequest(model, Prompt(root), null, generation, stream, includeUsage);
    }

    private static string Prompt(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var prompt))
        {
            throw MaasException.InvalidArgument("'prompt' is required.");
        }

        return prompt.ValueKind switch
        {
            JsonValueKind.String => prompt.GetString()!,
            JsonValueKind.Array when prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String => prompt[0].GetString()!,
            JsonValueKind.Array => throw MaasException.InvalidArgument("'prompt' as an array must hold exactly one string (batched and token prompts are not supported)."),
            _ => throw MaasException.InvalidArgument("'prompt' must be a string."),
        };
    }

    internal static List<ChatMessage> Messages(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw MaasException.InvalidArgument("'messages' is required and must be a non-empty array.");
        }

        var list = new List<ChatMessage>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var r) || r.ValueKind != JsonValueKind.String)
            {
                throw MaasException.InvalidArgument($"messages[{index}] must be an object with a 'role'.");
            }

            var role = r.GetString() switch
            {
                "system" or "developer" => "system",
                "user" => "user",
                "assistant" => "assistant",
                "tool" => "tool",
                var other => throw MaasException.InvalidArgument($"messages[{index}].role '{other}' is not supported; use system, user, assistant or tool."),
            };
            list.Add(role switch
            {
                "assistant" => new ChatMessage(role, Content(message, index), OpenAiToolsReader.Calls(message, index)),
                "tool" => new ChatMessage(role, Content(message, index), ToolCallId: OpenAiToolsReader.ToolCallId(message, index, list)),
                _ => new ChatMessage(role, Content(message, index)),
            });
            index++;
        }

        return list;
    }

    private static string Content(JsonElement message, int index)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return string.Empty;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw MaasException.InvalidArgument($"messages[{index}].content must be a string or an array of text parts.");
        }

        var text = new System.Text.StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueEquals("text") is false
                || !part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
            {
                throw MaasException.InvalidArgument($"messages[{index}].content parts must be {{\"type\": \"text\", \"text\": \"...\"}}; other part types are not supported.");
            }

            text.Append(value.GetString());
        }

        return text.ToString();
    }

    private static List<string> Stops(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return [stop.GetString()!];
        }

        if (stop.ValueKind != JsonValueKind.Array || stop.GetArrayLength() > MaxStops || stop.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            throw MaasException.InvalidArgument($"'stop' must be a string or an array of at most {MaxStops} strings.");
        }

        return stop.EnumerateArray().Select(s => s.GetString()!).ToList();
    }

    private static (bool Logprobs, int Top) ChatLogprobs(JsonElement root)
    {
        var logprobs = Boolean(root, "logprobs") ?? false;
        var top = Integer(root, "top_logprobs") ?? 0;
        if (top is < 0 or > MaxTopLogprobs)
        {
            throw MaasException.InvalidArgument($"'top_logprobs' must be between 0 and {MaxTopLogprobs}.");
        }

        if (top > 0 && !logprobs)
        {
            throw MaasException.InvalidArgument("'top_logprobs' needs 'logprobs': true.");
        }

        return (logprobs, (int)top);
    }

    private static (bool Logprobs, int Top) CompletionLogprobs(JsonElement root)
    {
        var top = Integer(root, "logprobs");
        if (top is < 0 or > MaxTopLogprobs)
        {
            throw MaasException.InvalidArgument($"'logprobs' must be between 0 and {MaxTopLogprobs}.");
        }

        return (top is not null, (int)(top ?? 0));
    }

    // vLLM and llama-server: 0 or -1 turn top-k off.
    private static int TopK(JsonElement root) => Integer(root, "top_k") switch
    {
        null or 0 or -1 => 0,
        < -1 => throw MaasException.InvalidArgument("'top_k' must be a positive integer (0 or -1: off)."),
        var k => (int)Math.Min(k.Value, int.MaxValue),
    };

    private static float RepetitionPenalty(JsonElement root)
    {
        var penalty = Number(root, "repetition_penalty", 0, 10) ?? 1;
        return penalty > 0 ? (float)penalty : throw MaasException.InvalidArgument("'repetition_penalty' must be greater than 0 (1: off).");
    }

    // OpenAI: {"token id": bias}, bias between -100 and 100; -100 bans the token.
    private static Dictionary<int, float>? LogitBias(JsonElement root)
    {
        if (!root.TryGetProperty("logit_bias", out var bias) || bias.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (bias.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("'logit_bias' must be an object mapping token ids to numbers between -100 and 100.");
        }

        var map = new Dictionary<int, float>();
        foreach (var entry in bias.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var token))
            {
                throw MaasException.InvalidArgument($"'logit_bias' key '{entry.Name}' is not a token id (a non-negative integer).");
            }

            if (entry.Value.ValueKind != JsonValueKind.Number || entry.Value.GetDouble() is not (>= -100 and <= 100))
            {
                throw MaasException.InvalidArgument($"'logit_bias' for token {token} must be a number between -100 and 100.");
            }

            map[token] = (float)entry.Value.GetDouble();
            if (map.Count > MaxLogitBias)
            {
                throw MaasException.InvalidArgument($"'logit_bias' may name at most {MaxLogitBias} tokens.");
            }
        }

        return map.Count == 0 ? null : map;
    }

    private static long? Integer(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw MaasException.InvalidArgument($"'{name}' must be an integer.");
    }

    private static double? Number(JsonElement root, string name, double min, double max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.GetDouble() is var number && number >= min && number <= max
            ? number
            : throw MaasException.InvalidArgument($"'{name}' must be a number between {min} and {max}.");
    }

    private static bool? Boolean(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw MaasException.InvalidArgument($"'{name}' must be true or false.");
    }
}
