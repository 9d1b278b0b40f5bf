using System.Text.Json;
using Maas.Core.Errors;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>Checks that a tool's <c>parameters</c> is a well-formed JSON schema: each known keyword holds the JSON type the specification gives it.</summary>
/// <remarks>Catches schemas that no validator would accept (a <c>type</c> of <c>"strnig"</c>, <c>required</c> that is not a
/// list of names, <c>properties</c> that are not schemas); whether a constrained answer can follow every feature is the
/// grammar's concern.</remarks>
internal static class ToolSchemaCheck
{
    private const int MaxDepth = 32;
    private static readonly string[] Types = ["object", "array", "string", "number", "integer", "boolean", "null"];
    private static readonly string[] SchemaMaps = ["properties", "$defs", "definitions", "patternProperties", "dependentSchemas"];
    private static readonly string[] SchemaLists = ["anyOf", "oneOf", "allOf", "prefixItems"];
    private static readonly string[] Schemas = ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "additionalItems"];
    private static readonly string[] Counts = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"];
    private static readonly string[] Numbers = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];

    public static void Check(JsonElement schema, string where) => Check(schema, where, 0);

    private static void Check(JsonElement schema, string where, int depth)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(where, "must be a JSON schema (an object)");
        }

        if (depth > MaxDepth)
        {
            throw Invalid(where, $"nests deeper than {MaxDepth} levels");
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            var at = $"{where}.{keyword.Name}";
            switch (keyword.Name)
            {
                case "type":
                    var names = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
                    if (names.Count == 0 || names.Any(n => n.ValueKind != JsonValueKind.String || !Types.Contains(n.GetString())))
                    {
                        throw Invalid(at, $"must be one of {string.Join(", ", Types)} (or a list of them)");
                    }

                    break;
                case "required":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String))
                    {
                        throw Invalid(at, "must be an array of property names");
                    }

                    break;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        throw Invalid(at, "must be an array");
                    }

                    break;
                case "description" or "title" or "pattern" or "format" or "$ref" or "$schema" or "$id":
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        throw Invalid(at, "must be a string");
                    }

                    break;
                case var map when SchemaMaps.Contains(map):
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid(at, "must be an object of schemas");
                    }

                    foreach (var property in value.EnumerateObject())
                    {
                        Check(property.Value, $"{at}.{property.Name}", depth + 1);
                    }

                    break;
                case var list when SchemaLists.Contains(list):
                    if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                    {
                        throw Invalid(at, "must be a non-empty array of schemas");
                    }

                    var i = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Check(item, $"{at}[{i++}]", depth + 1);
                    }

                    break;
                case var single when Schemas.Contains(single):
                    Check(value, at, depth + 1);
                    break;
                case var count when Counts.Contains(count):
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n) || n < 0)
                    {
                        throw Invalid(at, "must be a non-negative integer");
                    }

                    break;
                case var number when Numbers.Contains(number):
                    if (value.ValueKind != JsonValueKind.Number)
                    {
                        throw Invalid(at, "must be a number");
                    }

                    break;
            }
        }
    }

    private static MaasException Invalid(string where, string problem) =>
        MaasException.InvalidArgument($"{where} is not a valid JSON schema: it {problem}.");
}
