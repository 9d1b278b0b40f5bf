using System.Text;
using Maas.Serving.Generation.Templates;

namespace Maas.Serving.Generation.Tools;

/// <summary>Tool use for templates that know nothing of tools: the tools described in a system message, in the Hermes syntax.</summary>
/// <remarks>
/// Earlier calls become <c>&lt;tool_call&gt;</c> blocks in the assistant's text and tool results become user turns
/// wrapped in <c>&lt;tool_response&gt;</c>, so any template (and ChatML) can render the conversation.
/// </remarks>
internal static class HermesToolPrompt
{
    public static IReadOnlyList<ChatMessage> Rewrite(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ChatTool>? tools)
    {
        if (tools is not { Count: > 0 } && !messages.Any(m => m.Role == "tool" || m.ToolCalls is { Count: > 0 }))
        {
            return messages;
        }

        var rewritten = new List<ChatMessage>(messages.Count + 1);
        if (tools is { Count: > 0 })
        {
            var system = new StringBuilder("You may call one or more functions to assist with the user query.\n\n")
                .Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
            foreach (var tool in tools)
            {
                system.Append('\n').Append(TemplateJson.Serialize(new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["type"] = "function",
                    ["function"] = new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["name"] = tool.Name,
                        ["description"] = tool.Description ?? string.Empty,
                        ["parameters"] = TemplateJson.FromJson(tool.Parameters),
                    },
                }));
            }

            system.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n")
                .Append("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
            if (messages[0].Role == "system")
            {
                rewritten.Add(messages[0] with { Content = messages[0].Content + "\n\n" + system });
                messages = messages.Skip(1).ToList();
            }
            else
            {
                rewritten.Add(new ChatMessage("system", system.ToString()));
            }
        }

        foreach (var message in messages)
        {
            if (message.Role == "tool")
            {
                rewritten.Add(new ChatMessage("user", "<tool_response>\n" + message.Content + "\n</tool_response>"));
            }
            else if (message.ToolCalls is { Count: > 0 } calls)
            {
                var text = new StringBuilder(message.Content);
                foreach (var call in calls)
                {
                    text.Append(text.Length > 0 ? "\n" : string.Empty)
                        .Append("<tool_call>\n{\"name\": ").Append(TemplateJson.Serialize(call.Name))
                        .Append(", \"arguments\": ").Append(call.Arguments).Append("}\n</tool_call>");
                }

                rewritten.Add(new ChatMessage("assistant", text.ToString()));
            }
            else
            {
                rewritten.Add(message);
            }
        }

        return rewritten;
    }
}
