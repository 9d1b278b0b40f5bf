using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Grammars;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>Reads the structured-output fields of a completions or chat body into a grammar the engine enforces.</summary>
/// <remarks>
/// <c>response_format</c>: <c>{"type": "text"}</c> (free text), <c>{"type": "json_object"}</c> (any JSON object; with a
/// <c>schema</c> member, as llama-server accepts, that schema) and <c>{"type": "json_schema", "json_schema": {"name",
/// "schema", "strict"}}</c> (the schema, enforced whether or not <c>strict</c> is set). <c>grammar</c>: raw GBNF, as
/// llama-server accepts it. Both at once are rejected; an invalid or unsupported schema or grammar is a 400 naming it.
/// </remarks>
internal static class OpenAiResponseFormat
{
    private static readonly Lazy<GbnfGrammar> AnyObject = new(() => GbnfGrammar.Parse(JsonSchemaGrammar.AnyObjectGbnf()));

    public static GbnfGrammar? Grammar(JsonElement root)
    {
        var format = ResponseFormat(root);
        if (root.TryGetProperty("grammar", out var grammar) && grammar.ValueKind != JsonValueKind.Null)
        {
            if (grammar.ValueKind != JsonValueKind.String || grammar.GetString() is not { Length: > 0 } text)
            {
                throw MaasException.InvalidArgument("'grammar' must be a non-empty GBNF string.");
            }

            if (format is not null)
            {
                throw MaasException.InvalidArgument("'grammar' and a JSON 'response_format' cannot be used together.");
            }

            return Wrap("grammar", () => GbnfGrammar.Parse(text));
        }

        return format;
    }

    private static GbnfGrammar? ResponseFormat(JsonElement root)
    {
        if (!root.TryGetProperty("response_format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw MaasException.InvalidArgument("'response_format' must be an object with a 'type': \"text\", \"json_object\" or \"json_schema\".");
        }

        switch (type.GetString())
        {
            case "text":
                return null;
            case "json_object":
                return format.TryGetProperty("schema", out var inline) && inline.ValueKind != JsonValueKind.Null
                    ? Schema(inline, "response_format.schema")
                    : AnyObject.Value;
            case "json_schema":
                if (!format.TryGetProperty("json_schema", out var wrapper) || wrapper.ValueKind != JsonValueKind.Object)
                {
                    throw MaasException.InvalidArgument("'response_format.json_schema' is required for type \"json_schema\" and must be an object with 'name' and 'schema'.");
                }

                if (wrapper.TryGetProperty("name", out var name) && (name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 and <= 64 }))
                {
                    throw MaasException.InvalidArgument("'response_format.json_schema.name' must be a string of 1 to 64 characters.");
                }

                return wrapper.TryGetProperty("schema", out var schema) && schema.ValueKind != JsonValueKind.Null
                    ? Schema(schema, "response_format.json_schema.schema")
                    : AnyObject.Value;
            case var other:
                throw MaasException.InvalidArgument($"'response_format.type' \"{other}\" is not supported; use \"text\", \"json_object\" or \"json_schema\".");
        }
    }

    private static GbnfGrammar Schema(JsonElement schema, string field) => Wrap(field, () => GbnfGrammar.Parse(JsonSchemaGrammar.ToGbnf(schema)));

    private static GbnfGrammar Wrap(string field, Func<GbnfGrammar> build)
    {
        try
        {
            return build();
        }
        catch (MaasException ex) when (ex.Kind == MaasErrorKind.InvalidArgument)
        {
            throw MaasException.InvalidArgument($"'{field}': {ex.Message}");
        }
    }
}
