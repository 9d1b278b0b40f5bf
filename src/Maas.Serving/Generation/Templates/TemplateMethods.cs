using System.Collections;
using System.Globalization;

namespace Maas.Serving.Generation.Templates;

/// <summary>The Python methods, filters and tests chat templates commonly use.</summary>
internal static class TemplateMethods
{
    public static object? CallMethod(object? target, string name, IReadOnlyList<object?> args) => (target, name) switch
    {
        (string s, "strip") => args.Count > 0 && args[0] is string chars ? s.Trim(chars.ToCharArray()) : s.Trim(),
        (string s, "lstrip") => args.Count > 0 && args[0] is string chars ? s.TrimStart(chars.ToCharArray()) : s.TrimStart(),
        (string s, "rstrip") => args.Count > 0 && args[0] is string chars ? s.TrimEnd(chars.ToCharArray()) : s.TrimEnd(),
        (string s, "upper") => s.ToUpperInvariant(),
        (string s, "lower") => s.ToLowerInvariant(),
        (string s, "title") => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(s.ToLowerInvariant()),
        (string s, "capitalize") => Capitalize(s),
        (string s, "startswith") => args.Count > 0 && args[0] is string p && s.StartsWith(p, StringComparison.Ordinal),
        (string s, "endswith") => args.Count > 0 && args[0] is string p && s.EndsWith(p, StringComparison.Ordinal),
        (string s, "split") => (args.Count > 0 && args[0] is string sep
            ? s.Split(sep)
            : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Cast<object?>().ToList(),
        (string s, "replace") when args.Count >= 2 && args[0] is string from && from.Length > 0 && args[1] is string to => s.Replace(from, to, StringComparison.Ordinal),
        (string s, "find") => args.Count > 0 && args[0] is string p ? (long)s.IndexOf(p, StringComparison.Ordinal) : -1L,
        (IDictionary<string, object?> map, "items") => map.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
        (IDictionary<string, object?> map, "keys") => map.Keys.Cast<object?>().ToList(),
        (IDictionary<string, object?> map, "values") => map.Values.ToList(),
        (IDictionary<string, object?> map, "get") => args.Count > 0 && args[0] is string key && map.TryGetValue(key, out var value)
            ? value
            : args.Count > 1 ? args[1] : null,
        _ => throw new TemplateSyntaxException($"Unknown method '{name}'."),
    };

    public static object? ApplyFilter(object? value, string name, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?>? keywords = null)
    {
        keywords ??= NoKeywords;
        return name switch
        {
            "trim" => TemplateValues.Render(value).Trim(),
            "upper" => TemplateValues.Render(value).ToUpperInvariant(),
            "lower" => TemplateValues.Render(value).ToLowerInvariant(),
            "capitalize" => Capitalize(TemplateValues.Render(value)),
            "string" => TemplateValues.Render(value),
            "safe" => value,
            "length" or "count" => (long)TemplateValues.Length(value),
            "tojson" => TemplateJson.Serialize(value, Argument(args, keywords, 0, "indent") as long? is { } indent ? (int)indent : null,
                TemplateValues.IsTrue(Argument(args, keywords, 1, "sort_keys"))),
            "int" => long.TryParse(TemplateValues.Render(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0L,
            "float" => value is long l ? (double)l : double.TryParse(TemplateValues.Render(value), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : 0.0,
            "abs" => value switch { long l => Math.Abs(l), double d => Math.Abs(d), _ => throw new TemplateSyntaxException("abs needs a number.") },
            "default" or "d" => value is Undefined || (args.Count > 1 && TemplateValues.IsTrue(args[1]) && !TemplateValues.IsTrue(value))
                ? (args.Count > 0 ? args[0] : string.Empty)
                : value,
            "first" => value is IList { Count: > 0 } first ? first[0] : Undefined.Value,
            "last" => value is IList { Count: > 0 } last ? last[^1] : Undefined.Value,
            "join" => string.Join(args.Count > 0 ? TemplateValues.Render(args[0]) : string.Empty, AsList(value).Select(TemplateValues.Render)),
            "list" => AsList(value).ToList(),
            "reverse" => value is string text ? new string(text.Reverse().ToArray()) : AsList(value).Reverse().ToList(),
            "unique" => AsList(value).Aggregate(new List<object?>(), (seen, item) =>
            {
                if (!seen.Any(s => TemplateValues.Equals(s, item)))
                {
                    seen.Add(item);
                }

                return seen;
            }),
            "items" => CallMethod(value, "items", args),
            "dictsort" => value is IDictionary<string, object?> map
                ? map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
                : throw new TemplateSyntaxException("dictsort needs a mapping."),
            "replace" => CallMethod(TemplateValues.Render(value), "replace", args),
            "indent" => Indent(TemplateValues.Render(value), Argument(args, keywords, 0, "width") as long? ?? 4,
                TemplateValues.IsTrue(Argument(args, keywords, 1, "first"))),
            "selectattr" or "rejectattr" => AsList(value).Where(item =>
                AttributeTest(item, args) == (name == "selectattr")).ToList(),
            "select" or "reject" => AsList(value).Where(item =>
                (args.Count > 0 ? Test(item, TemplateValues.Render(args[0]), args.Skip(1).ToList()) : TemplateValues.IsTrue(item)) == (name == "select")).ToList(),
            "map" => Map(value, args, keywords),
            _ => throw new TemplateSyntaxException($"Unknown filter '{name}'."),
        };
    }

    public static bool Test(object? value, string name, IReadOnlyList<object?>? args = null) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "number" => TemplateValues.IsNumber(value),
        "integer" => value is long,
        "float" => value is double,
        "boolean" => value is bool,
        "true" => value is true,
        "false" => value is false,
        "mapping" => value is IDictionary<string, object?>,
        "sequence" or "iterable" => value is string or IEnumerable,
        "callable" => value is TemplateFunction,
        "even" => value is long even && even % 2 == 0,
        "odd" => value is long odd && odd % 2 != 0,
        "equalto" or "eq" or "==" or "sameas" => args is [var other, ..] && TemplateValues.Equals(value, other),
        "ne" or "!=" => !(args is [var other, ..] && TemplateValues.Equals(value, other)),
        "in" => args is [var container, ..] && TemplateValues.Contains(container, value),
        "divisibleby" => value is long dividend && args is [long divisor, ..] && divisor != 0 && dividend % divisor == 0,
        _ => throw new TemplateSyntaxException($"Unknown test '{name}'."),
    };

    public static IEnumerable<object?> AsList(object? value) => value switch
    {
        null or Undefined => [],
        string s => s.Select(c => (object?)c.ToString()),
        IDictionary<string, object?> map => map.Keys,
        IEnumerable list => list.Cast<object?>(),
        _ => throw new TemplateSyntaxException($"{TemplateValues.Render(value)} is not iterable."),
    };

    private static readonly IReadOnlyDictionary<string, object?> NoKeywords = new Dictionary<string, object?>();

    private static object? Argument(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> keywords, int position, string name) =>
        keywords.TryGetValue(name, out var value) ? value : position < args.Count ? args[position] : null;

    /// <summary>selectattr("attr"), selectattr("attr", "test", arg…): the attribute's truth, or the test on it.</summary>
    private static bool AttributeTest(object? item, IReadOnlyList<object?> args)
    {
        if (args.Count == 0)
        {
            throw new TemplateSyntaxException("selectattr and rejectattr need an attribute name.");
        }

        var attribute = Attribute(item, TemplateValues.Render(args[0]));
        return args.Count > 1 ? Test(attribute, TemplateValues.Render(args[1]), args.Skip(2).ToList()) : TemplateValues.IsTrue(attribute);
    }

    /// <summary>map(attribute="a.b", default=…) or map("filter", args…).</summary>
    private static List<object?> Map(object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> keywords)
    {
        if (keywords.TryGetValue("attribute", out var attribute))
        {
            var path = TemplateValues.Render(attribute);
            return AsList(value).Select(item => Attribute(item, path) is var found && found is Undefined && keywords.TryGetValue("default", out var fallback)
                ? fallback
                : found).ToList();
        }

        if (args.Count == 0)
        {
            throw new TemplateSyntaxException("map needs a filter name or attribute=.");
        }

        var filter = TemplateValues.Render(args[0]);
        return AsList(value).Select(item => ApplyFilter(item, filter, args.Skip(1).ToList())).ToList();
    }

    private static object? Attribute(object? item, string path) =>
        path.Split('.').Aggregate(item, (current, part) => long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index)
            ? TemplateValues.GetItem(current, index)
            : TemplateValues.GetItem(current, part));

    private static string Indent(string text, long width, bool first)
    {
        var pad = new string(' ', (int)Math.Clamp(width, 0, 64));
        var lines = text.Split('\n');
        return string.Join("\n", lines.Select((line, i) => (i > 0 || first) && line.Length > 0 ? pad + line : line));
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
