using System.Text;
using Maas.Core.Errors;
using Maas.Serving.Generation.Tools;

namespace Maas.Serving.Generation.Templates;

/// <summary>A compiled Jinja chat template (the subset chat templates use), rendered over a conversation.</summary>
/// <remarks>
/// Variables: <c>messages</c> (each with <c>role</c> and <c>content</c>; assistant turns that called tools also
/// <c>tool_calls</c> as <c>{id, type, function: {name, arguments}}</c> with the arguments as an object, tool turns
/// <c>tool_call_id</c>), <c>tools</c> (<c>{type: "function", function: {name, description, parameters}}</c>, only
/// when the request offers tools), <c>add_generation_prompt</c>, <c>bos_token</c>, <c>eos_token</c>; functions
/// <c>raise_exception</c> (a 400 with the template's message), <c>namespace</c>, <c>range</c> and <c>strftime_now</c>.
/// Unsupported syntax throws <see cref="TemplateSyntaxException"/> when compiling.
/// </remarks>
internal sealed class ChatTemplate
{
    private readonly Action<TemplateScope, StringBuilder> _render;

    private ChatTemplate(Action<TemplateScope, StringBuilder> render) => _render = render;

    public static ChatTemplate Compile(string source) => new(new TemplateParser(TemplateLexer.Split(source)).ParseAll());

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, string bosToken, string eosToken,
        IReadOnlyList<ChatTool>? tools = null, DateTimeOffset? now = null)
    {
        var scope = new TemplateScope(null);
        scope.Set("messages", messages.Select(m => (object?)MessageValue(m)).ToList());
        if (tools is { Count: > 0 })
        {
            scope.Set("tools", tools.Select(t => (object?)ToolValue(t)).ToList());
        }

        scope.Set("add_generation_prompt", addGenerationPrompt);
        scope.Set("bos_token", bosToken);
        scope.Set("eos_token", eosToken);
        scope.Set("raise_exception", new TemplateFunction(static (args, _) =>
            throw MaasException.InvalidArgument(args.Count > 0 ? TemplateValues.Render(args[0]) : "The chat template rejected the conversation.")));
        scope.Set("namespace", new TemplateFunction(static (_, keywords) => new Dictionary<string, object?>(keywords, StringComparer.Ordinal)));
        var clock = now ?? DateTimeOffset.UtcNow;
        scope.Set("strftime_now", new TemplateFunction((args, _) => TemplateClock.Format(clock, args.Count > 0 ? TemplateValues.Render(args[0]) : "%Y-%m-%d")));
        scope.Set("range", new TemplateFunction(static (args, _) =>
        {
            var (start, stop) = args.Count switch
            {
                1 => (0L, args[0] as long? ?? 0),
                >= 2 => (args[0] as long? ?? 0, args[1] as long? ?? 0),
                _ => (0L, 0L),
            };
            var list = new List<object?>();
            for (var i = start; i < stop; i++)
            {
                list.Add(i);
            }

            return list;
        }));
        var output = new StringBuilder();
        _render(scope, output);
        return output.ToString();
    }

    private static Dictionary<string, object?> MessageValue(ChatMessage message)
    {
        var value = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["role"] = message.Role,
            ["content"] = message.Content,
        };
        if (message.ToolCalls is { Count: > 0 } calls)
        {
            value["tool_calls"] = calls.Select(c => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = c.Id,
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["name"] = c.Name,
                    ["arguments"] = ArgumentsValue(c.Arguments),
                },
            }).ToList();
        }

        if (message.ToolCallId is not null)
        {
            value["tool_call_id"] = message.ToolCallId;
        }

        return value;
    }

    /// <summary>Templates write arguments with <c>| tojson</c>, so they get the object; text that is not JSON stays text.</summary>
    private static object? ArgumentsValue(string arguments)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(arguments);
            return TemplateJson.FromJson(document.RootElement);
        }
        catch (System.Text.Json.JsonException)
        {
            return arguments;
        }
    }

    private static Dictionary<string, object?> ToolValue(ChatTool tool)
    {
        var function = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = tool.Name };
        if (tool.Description is not null)
        {
            function["description"] = tool.Description;
        }

        function["parameters"] = TemplateJson.FromJson(tool.Parameters);
        return new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = "function", ["function"] = function };
    }
}
