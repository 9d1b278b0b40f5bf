using System.Globalization;
using System.Text;
using Maas.Core.Grammars;

namespace Maas.Serving.Generation.Tools;

/// <summary>The grammar that makes a model call a tool (<c>tool_choice</c> <c>required</c> or a named function) in its family's syntax.</summary>
/// <remarks>
/// Each callable function becomes <c>{"name": "f", "arguments": ARGS}</c> (<c>"parameters"</c> for Llama 3), with ARGS
/// the JSON-schema grammar of its parameters; the family's wrapper goes around: <c>&lt;tool_call&gt;\n…\n&lt;/tool_call&gt;</c>
/// blocks separated by new lines, <c>[TOOL_CALLS][…, …]</c>, or objects separated by <c>; </c>. With
/// <c>parallel_tool_calls</c> an answer may hold up to <see cref="MaxParallelCalls"/> calls, otherwise exactly one. The
/// answer is nothing but calls, so it always parses; a schema feature the grammar cannot enforce is a 400 naming it.
/// </remarks>
public static class ToolCallGrammar
{
    /// <summary>Most calls in one constrained answer.</summary>
    public const int MaxParallelCalls = 8;

    /// <summary>The GBNF text for <paramref name="tools"/>' callable functions in <paramref name="format"/>.</summary>
    public static string ToGbnf(ToolCallFormat format, ChatToolOptions tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var callable = tools.Callable;
        var argumentsKey = format == ToolCallFormat.Llama3Json ? "parameters" : "arguments";
        var rules = new StringBuilder();
        var alternatives = new List<string>();
        for (var i = 0; i < callable.Count; i++)
        {
            var prefix = "tool" + i.ToString(CultureInfo.InvariantCulture);
            var head = "{\"name\": " + TemplatesJson(callable[i].Name) + ", \"" + argumentsKey + "\": ";
            rules.Append(prefix).Append(" ::= ").Append(JsonSchemaGrammar.Literal(head)).Append(' ').Append(prefix).Append("-args ")
                .Append(JsonSchemaGrammar.Literal("}")).Append('\n')
                .Append(JsonSchemaGrammar.ToGbnfRules(callable[i].Parameters, prefix + "-args")).Append('\n');
            alternatives.Add(prefix);
        }

        var more = tools.ParallelToolCalls ? (MaxParallelCalls - 1).ToString(CultureInfo.InvariantCulture) : "0";
        var (one, separator, open, close) = format switch
        {
            ToolCallFormat.Hermes => (JsonSchemaGrammar.Literal("<tool_call>\n") + " call " + JsonSchemaGrammar.Literal("\n</tool_call>"),
                JsonSchemaGrammar.Literal("\n"), string.Empty, string.Empty),
            ToolCallFormat.Mistral => ("call", JsonSchemaGrammar.Literal(", "), JsonSchemaGrammar.Literal("[TOOL_CALLS]["), JsonSchemaGrammar.Literal("]")),
            _ => ("call", JsonSchemaGrammar.Literal("; "), string.Empty, string.Empty),
        };
        var root = new StringBuilder("root ::= ").Append(open).Append(' ').Append("one");
        if (more != "0")
        {
            root.Append(" (").Append(separator).Append(" one){0,").Append(more).Append('}');
        }

        root.Append(' ').Append(close).Append('\n')
            .Append("one ::= ").Append(one).Append('\n')
            .Append("call ::= ").Append(string.Join(" | ", alternatives)).Append('\n');
        return root.Append(rules).ToString();
    }

    /// <summary>The compiled grammar; a parameters schema the grammar cannot follow throws a 400 naming the feature.</summary>
    public static GbnfGrammar Build(ToolCallFormat format, ChatToolOptions tools) => GbnfGrammar.Parse(ToGbnf(format, tools));

    private static string TemplatesJson(string name) => Templates.TemplateJson.Serialize(name);
}
