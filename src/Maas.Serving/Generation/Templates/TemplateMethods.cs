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

    public static object? ApplyFilter(object? value, string name, IReadOnlyList<object?> args) => name switch
    {
        "trim" => TemplateValues.Render(value).Trim(),
        "upper" => TemplateValues.Render(value).ToUpperInvariant(),
        "lower" => TemplateValues.Render(value).ToLowerInvariant(),
        "capitalize" => Capitalize(TemplateValues.Render(value)),
        "string" => TemplateValues.Render(value),
        "length" or "count" => (long)TemplateValues.Length(value),
        "tojson" => TemplateValues.ToJson(value),
        "int" => long.TryParse(TemplateValues.Render(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0L,
        "default" or "d" => value is Undefined || (args.Count > 1 && TemplateValues.IsTrue(args[1]) && !TemplateValues.IsTrue(value))
            ? (args.Count > 0 ? args[0] : string.Empty)
            : value,
        "first" => value is IList { Count: > 0 } first ? first[0] : Undefined.Value,
        "last" => value is IList { Count: > 0 } last ? last[^1] : Undefined.Value,
        "join" => string.Join(args.Count > 0 ? TemplateValues.Render(args[0]) : string.Empty, AsList(value).Select(TemplateValues.Render)),
        "list" => AsList(value).ToList(),
        "items" => CallMethod(value, "items", args),
        "replace" => CallMethod(TemplateValues.Render(value), "replace", args),
        _ => throw new TemplateSyntaxException($"Unknown filter '{name}'."),
    };

    public static bool Test(object? value, string name) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "number" => TemplateValues.IsNumber(value),
        "integer" => value is long,
        "boolean" => value is bool,
        "true" => value is true,
        "false" => value is false,
        "mapping" => value is IDictionary<string, object?>,
        "sequence" or "iterable" => value is string or IEnumerable,
        "even" => value is long even && even % 2 == 0,
        "odd" => value is long odd && odd % 2 != 0,
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

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
