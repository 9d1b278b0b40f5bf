using System.Text.Json;

namespace Maas.Core.Grammars;

/// <summary>Turns a JSON schema into GBNF rules whose sentences are JSON texts that validate against the schema.</summary>
/// <remarks>
/// Supported: <c>type</c> (one or a list), objects with <c>properties</c> and <c>required</c> (optional properties may
/// be left out; properties are written in the declared order and undeclared ones are never generated, whatever
/// <c>additionalProperties</c> says), arrays with <c>items</c>, <c>minItems</c> and <c>maxItems</c> (up to
/// <see cref="GbnfParser.MaxRepetition"/>), strings with <c>minLength</c>/<c>maxLength</c>, numbers, integers, booleans,
/// null, <c>enum</c>, <c>const</c>, nesting, <c>$ref</c> to <c>#</c>, <c>#/$defs/..</c> or <c>#/definitions/..</c> (recursion
/// included), <c>anyOf</c> and a one-element <c>allOf</c>. Annotations (title, description, default, examples...) are
/// ignored. Keywords that would constrain values further (<c>pattern</c>, <c>format</c>, <c>minimum</c>, <c>oneOf</c>,
/// <c>if</c>/<c>then</c>, <c>patternProperties</c>...) are rejected with a <see cref="Errors.MaasException"/> naming the
/// keyword, as are invalid schemas. Numbers are bounded the way llama.cpp bounds them (at most 16 integer digits,
/// 16 fraction digits, 3 exponent digits) so that a generation cannot run on forever inside one number.
/// </remarks>
public static class JsonSchemaGrammar
{
    /// <summary>GBNF rules for <paramref name="schema"/>: the value is the rule named <paramref name="rulePrefix"/>, and every
    /// helper rule's name starts with <c>rulePrefix-</c>, so rules of several schemas can be joined into one grammar
    /// (add a <c>root</c> rule that uses them). No whitespace before or after the value.</summary>
    public static string ToGbnfRules(JsonElement schema, string rulePrefix)
    {
        ArgumentNullException.ThrowIfNull(rulePrefix);
        return new JsonSchemaConverter(schema, rulePrefix).Convert();
    }

    /// <summary>A GBNF literal (quoted, escaped) that matches exactly <paramref name="text"/>, e.g. for fixed wrappers around a value.</summary>
    public static string Literal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return JsonSchemaConverter.Literal(text);
    }

    /// <summary>A complete grammar (with <c>root</c>) for one JSON value valid against <paramref name="schema"/>.</summary>
    public static string ToGbnf(JsonElement schema) => "root ::= json\n" + ToGbnfRules(schema, "json");

    /// <summary>A complete grammar for any JSON object (OpenAI's <c>{"type": "json_object"}</c>).</summary>
    public static string AnyObjectGbnf()
    {
        using var document = JsonDocument.Parse("""{"type":"object"}""");
        return ToGbnf(document.RootElement);
    }
}
