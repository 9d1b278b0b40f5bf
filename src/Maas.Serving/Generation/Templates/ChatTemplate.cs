using System.Text;
using Maas.Core.Errors;

namespace Maas.Serving.Generation.Templates;

/// <summary>A compiled Jinja chat template (the subset chat templates use), rendered over a conversation.</summary>
/// <remarks>
/// Variables: <c>messages</c> (each with <c>role</c> and <c>content</c>), <c>add_generation_prompt</c>,
/// <c>bos_token</c>, <c>eos_token</c>; functions <c>raise_exception</c> (a 400 with the template's message),
/// <c>namespace</c> and <c>range</c>. Unsupported syntax throws <see cref="TemplateSyntaxException"/> when compiling.
/// </remarks>
internal sealed class ChatTemplate
{
    private readonly Action<TemplateScope, StringBuilder> _render;

    private ChatTemplate(Action<TemplateScope, StringBuilder> render) => _render = render;

    public static ChatTemplate Compile(string source) => new(new TemplateParser(TemplateLexer.Split(source)).ParseAll());

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, string bosToken, string eosToken)
    {
        var scope = new TemplateScope(null);
        scope.Set("messages", messages.Select(m => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["role"] = m.Role,
            ["content"] = m.Content,
        }).ToList());
        scope.Set("add_generation_prompt", addGenerationPrompt);
        scope.Set("bos_token", bosToken);
        scope.Set("eos_token", eosToken);
        scope.Set("raise_exception", new TemplateFunction(static (args, _) =>
            throw MaasException.InvalidArgument(args.Count > 0 ? TemplateValues.Render(args[0]) : "The chat template rejected the conversation.")));
        scope.Set("namespace", new TemplateFunction(static (_, keywords) => new Dictionary<string, object?>(keywords, StringComparer.Ordinal)));
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
}
