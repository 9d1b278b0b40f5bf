using System.Text.Json;
using System.Text.RegularExpressions;
using Maas.Core.Errors;
using Maas.Serving.Generation;
using Maas.Serving.Generation.Tools;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>Reads <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c>, and the tool parts of chat messages.</summary>
/// <remarks>
/// Only function tools exist. A function's <c>parameters</c> must be a JSON schema object (its keywords are checked for
/// the right JSON types, recursively); leaving it out means no arguments. <c>tool_choice</c> <c>required</c> or a named
/// function needs tools, and the name must be one of them.
/// </remarks>
internal static partial class OpenAiToolsReader
{
    private const int MaxTools = 128;

    /// <summary>The request's tools and choice; null when it offers none.</summary>
    public static ChatToolOptions? Read(JsonElement root)
    {
        var tools = Tools(root);
        var (choice, name) = Choice(root);
        var parallel = !root.TryGetProperty("parallel_tool_calls", out var p) || p.ValueKind == JsonValueKind.Null
            ? true
            : p.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? p.GetBoolean()
                : throw MaasException.InvalidArgument("'parallel_tool_calls' must be true or false.");
        if (tools.Count == 0)
        {
            return choice is ToolChoiceMode.Required or ToolChoiceMode.Named
                ? throw MaasException.InvalidArgument("'tool_choice' requires a tool call but the request has no 'tools'.")
                : null;
        }

        if (choice == ToolChoiceMode.Named && tools.All(t => t.Name != name))
        {
            throw MaasException.InvalidArgument($"'tool_choice' names the function '{name}', which is not among 'tools'.");
        }

        return new ChatToolOptions(tools, choice, name, parallel);
    }

    /// <summary>An assistant message's <c>tool_calls</c>.</summary>
    public static List<ChatToolCall>? Calls(JsonElement message, int index)
    {
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw MaasException.InvalidArgument($"messages[{index}].tool_calls must be an array.");
        }

        var list = new List<ChatToolCall>();
        foreach (var call in calls.EnumerateArray())
        {
            var where = $"messages[{index}].tool_calls[{list.Count}]";
            if (call.ValueKind != JsonValueKind.Object || String(call, "id") is not { Length: > 0 } id)
            {
                throw MaasException.InvalidArgument($"{where} must be an object with an 'id'.");
            }

            if (String(call, "type") is { } type && type != "function")
            {
                throw MaasException.InvalidArgument($"{where}.type must be 'function'.");
            }

            if (!call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || String(function, "name") is not { Length: > 0 } name)
            {
                throw MaasException.InvalidArgument($"{where}.function must be an object with a 'name'.");
            }

            var arguments = function.TryGetProperty("arguments", out var a) ? a : default;
            var text = arguments.ValueKind switch
            {
                JsonValueKind.Undefined or JsonValueKind.Null => "{}",
                JsonValueKind.String => a.GetString()!,
                JsonValueKind.Object => a.GetRawText(),
                _ => throw MaasException.InvalidArgument($"{where}.function.arguments must be a JSON string."),
            };
            list.Add(new ChatToolCall(id, name, text));
        }

        return list;
    }

    /// <summary>A tool message's <c>tool_call_id</c>, which must answer a call made earlier in the conversation.</summary>
    public static string ToolCallId(JsonElement message, int index, IReadOnlyList<ChatMessage> earlier)
    {
        if (String(message, "tool_call_id") is not { Length: > 0 } id)
        {
            throw MaasException.InvalidArgument($"messages[{index}] has role 'tool' but no 'tool_call_id'.");
        }

        if (!earlier.Any(m => m.ToolCalls?.Any(c => c.Id == id) == true))
        {
            throw MaasException.InvalidArgument($"messages[{index}].tool_call_id '{id}' does not answer a tool call of an earlier assistant message.");
        }

        return id;
    }

    private static List<ChatTool> Tools(JsonElement root)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() > MaxTools)
        {
            throw MaasException.InvalidArgument($"'tools' must be an array of at most {MaxTools} tools.");
        }

        var list = new List<ChatTool>();
        foreach (var tool in tools.EnumerateArray())
        {
            var where = $"tools[{list.Count}]";
            if (tool.ValueKind != JsonValueKind.Object || String(tool, "type") != "function")
            {
                throw MaasException.InvalidArgument($"{where} must be an object with \"type\": \"function\" (the only tool type supported).");
            }

            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                throw MaasException.InvalidArgument($"{where}.function must be an object.");
            }

            var name = String(function, "name");
            if (name is null || !FunctionName().IsMatch(name))
            {
                throw MaasException.InvalidArgument($"{where}.function.name must be 1 to 64 letters, digits, '_' or '-'.");
            }

            if (list.Any(t => t.Name == name))
            {
                throw MaasException.InvalidArgument($"{where}.function.name '{name}' is used by another tool.");
            }

            if (function.TryGetProperty("description", out var d) && d.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                throw MaasException.InvalidArgument($"{where}.function.description must be a string.");
            }

            JsonElement parameters;
            if (!function.TryGetProperty("parameters", out parameters) || parameters.ValueKind == JsonValueKind.Null)
            {
                using var empty = JsonDocument.Parse("""{"type": "object", "properties": {}}""");
                parameters = empty.RootElement.Clone();
            }
            else
            {
                ToolSchemaCheck.Check(parameters, $"{where}.function.parameters");
                if (parameters.TryGetProperty("type", out var type) && !(type.ValueKind == JsonValueKind.String && type.ValueEquals("object")))
                {
                    throw MaasException.InvalidArgument($"{where}.function.parameters must be a schema of type 'object'.");
                }

                parameters = parameters.Clone();
            }

            list.Add(new ChatTool(name, d.ValueKind == JsonValueKind.String ? d.GetString() : null, parameters));
        }

        return list;
    }

    private static (ToolChoiceMode Mode, string? Name) Choice(JsonElement root)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return (ToolChoiceMode.Auto, null);
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() switch
            {
                "auto" => (ToolChoiceMode.Auto, null),
                "none" => (ToolChoiceMode.None, null),
                "required" => (ToolChoiceMode.Required, null),
                var other => throw MaasException.InvalidArgument($"'tool_choice' '{other}' is not supported; use auto, none, required or {{\"type\": \"function\", \"function\": {{\"name\": …}}}}."),
            };
        }

        if (choice.ValueKind == JsonValueKind.Object && String(choice, "type") == "function"
            && choice.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            && String(function, "name") is { Length: > 0 } name)
        {
            return (ToolChoiceMode.Named, name);
        }

        throw MaasException.InvalidArgument("'tool_choice' must be auto, none, required or {\"type\": \"function\", \"function\": {\"name\": …}}.");
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();
}
