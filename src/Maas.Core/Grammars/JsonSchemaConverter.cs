using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Maas.Core.Errors;

namespace Maas.Core.Grammars;

/// <summary>One run of <see cref="JsonSchemaGrammar.ToGbnfRules"/>: walks the schema and writes rules.</summary>
internal sealed class JsonSchemaConverter
{
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "$anchor", "title", "description", "default", "examples", "deprecated", "readOnly",
        "writeOnly", "contentMediaType", "contentEncoding", "$defs", "definitions", "strict", "nullable",
    };

    private static readonly HashSet<string> Handled = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "minLength", "maxLength",
        "enum", "const", "$ref", "anyOf", "allOf",
    };

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonElement _root;
    private readonly string _prefix;
    private readonly StringBuilder _rules = new();
    private readonly HashSet<string> _helpers = [];
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);
    private int _next;

    public JsonSchemaConverter(JsonElement root, string prefix)
    {
        if (prefix.Length == 0 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException("A rule prefix is letters, digits, '-' and '_'.", nameof(prefix));
        }

        _root = root;
        _prefix = prefix;
    }

    public string Convert()
    {
        _refs["#"] = _prefix;
        Rule(_prefix, Value(_root, "#"));
        return _rules.ToString();
    }

    // A GBNF expression for one value of the schema at `path`.
    private string Value(JsonElement schema, string path)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return Helper("value");
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            throw Invalid(path, "the schema 'false' allows no value");
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "a schema must be an object or a boolean");
        }

        foreach (var property in schema.EnumerateObject())
        {
            if (!Handled.Contains(property.Name) && !Ignored.Contains(property.Name) && IsValidationKeyword(property.Name))
            {
                throw MaasException.InvalidArgument($"The JSON schema keyword '{property.Name}' (at {path}) is not supported for structured output.");
            }
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            if (schema.EnumerateObject().Any(p => Handled.Contains(p.Name) && p.Name != "$ref"))
            {
                throw MaasException.InvalidArgument($"The JSON schema keyword '$ref' (at {path}) is not supported next to other constraints.");
            }

            return Reference(reference, path);
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return Literal(Json(constant));
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return Enum(schema, values, path);
        }

        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            return Alternatives(anyOf, path + "/anyOf", "anyOf");
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            if (allOf.ValueKind != JsonValueKind.Array || allOf.GetArrayLength() != 1)
            {
                throw MaasException.InvalidArgument($"The JSON schema keyword 'allOf' (at {path}) is supported with one schema only.");
            }

            return Value(allOf[0], path + "/allOf/0");
        }

        var types = Types(schema, path);
        if (types.Count == 0)
        {
            return Helper("value");
        }

        var parts = types.Select(type => type switch
        {
            "object" => ObjectValue(schema, path),
            "array" => ArrayValue(schema, path),
            "string" => StringValue(schema, path),
            "number" => Helper("number"),
            "integer" => Helper("integer"),
            "boolean" => "(\"true\" | \"false\")",
            _ => "\"null\"",
        }).ToList();
        return parts.Count == 1 ? parts[0] : "(" + string.Join(" | ", parts) + ")";
    }

    private static bool IsValidationKeyword(string name) => name is
        "pattern" or "format" or "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" or "multipleOf"
        or "oneOf" or "not" or "if" or "then" or "else" or "patternProperties" or "propertyNames" or "minProperties"
        or "maxProperties" or "dependentRequired" or "dependentSchemas" or "dependencies" or "uniqueItems" or "contains"
        or "minContains" or "maxContains" or "prefixItems" or "additionalItems" or "unevaluatedProperties"
        or "unevaluatedItems" or "$dynamicRef" or "$recursiveRef" or "contentSchema";

    private static List<string> Types(JsonElement schema, string path)
    {
        var types = new List<string>();
        if (!schema.TryGetProperty("type", out var type))
        {
            // Keywords that only make sense for one type imply it.
            if (schema.TryGetProperty("properties", out _))
            {
                types.Add("object");
            }
            else if (schema.TryGetProperty("items", out _))
            {
                types.Add("array");
            }

            return types;
        }

        var names = type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array when type.GetArrayLength() > 0 => type.EnumerateArray().Select(t =>
                t.ValueKind == JsonValueKind.String ? t.GetString()! : throw Invalid(path, "'type' lists a non-string")).ToList(),
            _ => throw Invalid(path, "'type' must be a string or a non-empty array of strings"),
        };
        foreach (var name in names)
        {
            if (name is not ("object" or "array" or "string" or "number" or "integer" or "boolean" or "null"))
            {
                throw Invalid(path, $"unknown type '{name}'");
            }

            if (!types.Contains(name))
            {
                types.Add(name);
            }
        }

        return types;
    }

    private string ObjectValue(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("properties", out var properties))
        {
            if (schema.TryGetProperty("required", out var needed) && needed.ValueKind == JsonValueKind.Array && needed.GetArrayLength() > 0)
            {
                throw Invalid(path, "'required' names properties but 'properties' is missing");
            }

            return schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False
                ? "\"{\" " + Helper("ws") + " \"}\""
                : Helper("object");
        }

        if (properties.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "'properties' must be an object");
        }

        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                throw Invalid(path, "'required' must be an array of strings");
            }

            foreach (var name in list.EnumerateArray())
            {
                required.Add(name.GetString()!);
            }
        }

        var names = properties.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var name in required)
        {
            if (!names.Contains(name))
            {
                throw Invalid(path, $"required property '{name}' is not in 'properties'");
            }
        }

        var ws = Helper("ws");
        var pairs = properties.EnumerateObject().Select(p =>
            $"{Literal(Json(p.Name))} {ws} \":\" {ws} {Value(p.Value, path + "/properties/" + p.Name)}").ToList();

        // rest_i: what follows once something was written (each part starts with a comma); first_i: nothing written yet.
        var id = NewName("obj");
        var rest = new string[pairs.Count + 1];
        var first = new string[pairs.Count + 1];
        rest[pairs.Count] = first[pairs.Count] = "";
        for (var i = pairs.Count - 1; i >= 0; i--)
        {
            var isRequired = required.Contains(names[i]);
            var restName = $"{id}-r{i}";
            var firstName = $"{id}-f{i}";
            var withComma = $"{ws} \",\" {ws} {pairs[i]} {rest[i + 1]}".TrimEnd();
            Rule(restName, isRequired ? withComma : $"{withComma} | {(rest[i + 1].Length == 0 ? "\"\"" : rest[i + 1])}");
            var withFirst = $"{pairs[i]} {rest[i + 1]}".TrimEnd();
            Rule(firstName, isRequired ? withFirst : $"{withFirst} | {(first[i + 1].Length == 0 ? "\"\"" : first[i + 1])}");
            rest[i] = restName;
            first[i] = firstName;
        }

        return pairs.Count == 0 ? $"\"{{\" {ws} \"}}\"" : $"\"{{\" {ws} {first[0]} {ws} \"}}\"";
    }

    private string ArrayValue(JsonElement schema, string path)
    {
        var item = schema.TryGetProperty("items", out var items)
            ? items.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False
                ? Value(items, path + "/items")
                : throw MaasException.InvalidArgument($"The JSON schema keyword 'items' (at {path}) is supported with one schema only (tuples are not).")
            : Helper("value");
        var min = Count(schema, "minItems", path) ?? 0;
        var max = Count(schema, "maxItems", path);
        if (max < min)
        {
            throw Invalid(path, "'maxItems' is smaller than 'minItems'");
        }

        if (min > GbnfParser.MaxRepetition || max > GbnfParser.MaxRepetition)
        {
            throw MaasException.InvalidArgument($"The JSON schema keyword 'minItems'/'maxItems' (at {path}) is supported up to {GbnfParser.MaxRepetition}.");
        }

        var ws = Helper("ws");
        if (max == 0)
        {
            return $"\"[\" {ws} \"]\"";
        }

        var itemRule = NewName("item");
        Rule(itemRule, item);
        var more = $"({ws} \",\" {ws} {itemRule})";
        var repeat = max is { } m ? $"{{{Math.Max(0, min - 1)},{m - 1}}}" : min > 1 ? $"{{{min - 1},}}" : "*";
        var list = $"{itemRule} {more}{repeat}";
        return min == 0 ? $"\"[\" {ws} ({list})? {ws} \"]\"" : $"\"[\" {ws} {list} {ws} \"]\"";
    }

    private string StringValue(JsonElement schema, string path)
    {
        var min = Count(schema, "minLength", path);
        var max = Count(schema, "maxLength", path);
        if (min is null && max is null)
        {
            return Helper("string");
        }

        if (max < (min ?? 0))
        {
            throw Invalid(path, "'maxLength' is smaller than 'minLength'");
        }

        if ((min ?? 0) > GbnfParser.MaxRepetition || max > GbnfParser.MaxRepetition)
        {
            throw MaasException.InvalidArgument($"The JSON schema keyword 'minLength'/'maxLength' (at {path}) is supported up to {GbnfParser.MaxRepetition}.");
        }

        // A JSON string's length counts code points; one escape sequence is one character.
        return $"\"\\\"\" {Helper("char")}{{{min ?? 0},{(max is { } m ? m.ToString(CultureInfo.InvariantCulture) : "")}}} \"\\\"\"";
    }

    private static int? Count(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0
            ? count
            : throw Invalid(path, $"'{keyword}' must be a non-negative integer");
    }

    private string Enum(JsonElement schema, JsonElement values, string path)
    {
        if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
        {
            throw Invalid(path, "'enum' must be a non-empty array");
        }

        var types = schema.TryGetProperty("type", out _) ? Types(schema, path) : null;
        var kept = values.EnumerateArray().Where(v => types is null || types.Any(t => Fits(v, t))).Select(v => Literal(Json(v))).Distinct().ToList();
        if (kept.Count == 0)
        {
            throw Invalid(path, "no 'enum' value has the schema's type");
        }

        return kept.Count == 1 ? kept[0] : "(" + string.Join(" | ", kept) + ")";
    }

    private static bool Fits(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d == decimal.Truncate(d),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        _ => value.ValueKind == JsonValueKind.Null,
    };

    private string Alternatives(JsonElement list, string path, string keyword)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw Invalid(path, $"'{keyword}' must be a non-empty array of schemas");
        }

        var parts = list.EnumerateArray().Select((s, i) => Value(s, $"{path}/{i}")).ToList();
        return parts.Count == 1 ? parts[0] : "(" + string.Join(" | ", parts) + ")";
    }

    private string Reference(JsonElement reference, string path)
    {
        if (reference.ValueKind != JsonValueKind.String)
        {
            throw Invalid(path, "'$ref' must be a string");
        }

        var target = reference.GetString()!;
        if (_refs.TryGetValue(target, out var known))
        {
            return known;
        }

        var segments = target.StartsWith("#/", StringComparison.Ordinal) ? target[2..].Split('/') : null;
        if (segments is not { Length: 2 } || segments[0] is not ("$defs" or "definitions"))
        {
            throw MaasException.InvalidArgument($"The JSON schema '$ref' \"{target}\" (at {path}) is not supported: only \"#\", \"#/$defs/NAME\" and \"#/definitions/NAME\" are.");
        }

        var name = segments[1].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        if (_root.ValueKind != JsonValueKind.Object
            || !_root.TryGetProperty(segments[0], out var definitions)
            || definitions.ValueKind != JsonValueKind.Object
            || !definitions.TryGetProperty(name, out var definition))
        {
            throw Invalid(path, $"'$ref' \"{target}\" points at nothing");
        }

        // Named before its body is written, so recursive definitions refer to themselves.
        var rule = NewName("def-" + new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()));
        _refs[target] = rule;
        Rule(rule, Value(definition, target));
        return rule;
    }

    private string Helper(string name)
    {
        var rule = $"{_prefix}-{name}";
        if (!_helpers.Add(name))
        {
            return rule;
        }

        var ws = $"{_prefix}-ws";
        switch (name)
        {
            case "ws":
                Rule(rule, "( \" \" | \"\\n\" [ \\t]{0,20} )?");
                break;
            case "char":
                Rule(rule, "[^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4} )");
                break;
            case "string":
                Rule(rule, $"\"\\\"\" {Helper("char")}* \"\\\"\"");
                break;
            case "integer":
                Rule(rule, "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} )");
                break;
            case "number":
                Rule(rule, $"{Helper("integer")} ( \".\" [0-9]{{1,16}} )? ( [eE] [-+]? [0-9]{{1,3}} )?");
                break;
            case "value":
                Rule(rule, $"{Helper("object")} | {Helper("array")} | {Helper("string")} | {Helper("number")} | \"true\" | \"false\" | \"null\"");
                break;
            case "object":
                Helper("ws");
                Rule(rule, $"\"{{\" {ws} ( {Helper("string")} {ws} \":\" {ws} {Helper("value")} ( {ws} \",\" {ws} {Helper("string")} {ws} \":\" {ws} {Helper("value")} )* )? {ws} \"}}\"");
                break;
            case "array":
                Helper("ws");
                Rule(rule, $"\"[\" {ws} ( {Helper("value")} ( {ws} \",\" {ws} {Helper("value")} )* )? {ws} \"]\"");
                break;
            default:
                throw new InvalidOperationException(name);
        }

        return rule;
    }

    private string NewName(string kind) => $"{_prefix}-{kind}-{_next++}";

    private void Rule(string name, string body) => _rules.Append(name).Append(" ::= ").Append(body).Append('\n');

    private static string Json(JsonElement value) => JsonSerializer.Serialize(value, Relaxed);

    private static string Json(string value) => JsonSerializer.Serialize(value, Relaxed);

    /// <summary>A GBNF literal matching exactly <paramref name="text"/>.</summary>
    internal static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case < ' ':
                    builder.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static MaasException Invalid(string path, string what) => MaasException.InvalidArgument($"Invalid JSON schema at {path}: {what}.");
}
