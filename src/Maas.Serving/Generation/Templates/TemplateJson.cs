using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Maas.Serving.Generation.Templates;

/// <summary>Python's <c>json.dumps(value, ensure_ascii=False, indent=…, sort_keys=…)</c>, as Hugging Face's <c>tojson</c> filter writes it.</summary>
/// <remarks>
/// Without an indent items are separated by <c>", "</c>; with one by <c>","</c> and a new line, keys by <c>": "</c>.
/// Only quotes, backslashes and control characters are escaped, so markers like <c>&lt;tool_call&gt;</c> and non-ASCII
/// text reach the model as written. Floats keep a fractional part (<c>1.0</c>), as Python writes them.
/// </remarks>
internal static class TemplateJson
{
    public static string Serialize(object? value, int? indent = null, bool sortKeys = false)
    {
        var output = new StringBuilder();
        Write(output, value, indent, sortKeys, 0);
        return output.ToString();
    }

    /// <summary>A JSON document as template values: objects (in order), lists, strings, longs, doubles, bools, null.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal),
            (map, p) => { map[p.Name] = FromJson(p.Value); return map; }),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static void Write(StringBuilder output, object? value, int? indent, bool sortKeys, int level)
    {
        switch (value)
        {
            case null or Undefined:
                output.Append("null");
                break;
            case string s:
                WriteString(output, s);
                break;
            case bool b:
                output.Append(b ? "true" : "false");
                break;
            case long l:
                output.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                output.Append(FormatDouble(d));
                break;
            case IDictionary<string, object?> map:
                var pairs = sortKeys ? map.OrderBy(p => p.Key, StringComparer.Ordinal).ToList() : map.ToList();
                WriteItems(output, '{', '}', pairs.Count, indent, level, i =>
                {
                    WriteString(output, pairs[i].Key);
                    output.Append(": ");
                    Write(output, pairs[i].Value, indent, sortKeys, level + 1);
                });
                break;
            case IEnumerable list:
                var items = list.Cast<object?>().ToList();
                WriteItems(output, '[', ']', items.Count, indent, level, i => Write(output, items[i], indent, sortKeys, level + 1));
                break;
            default:
                WriteString(output, value.ToString() ?? string.Empty);
                break;
        }
    }

    private static void WriteItems(StringBuilder output, char open, char close, int count, int? indent, int level, Action<int> writeItem)
    {
        output.Append(open);
        if (count == 0)
        {
            output.Append(close);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            if (indent is { } step)
            {
                output.Append(i > 0 ? "," : string.Empty).Append('\n').Append(' ', step * (level + 1));
            }
            else if (i > 0)
            {
                output.Append(", ");
            }

            writeItem(i);
        }

        if (indent is { } width)
        {
            output.Append('\n').Append(' ', width * level);
        }

        output.Append(close);
    }

    private static void WriteString(StringBuilder output, string s)
    {
        output.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    output.Append("\\\"");
                    break;
                case '\\':
                    output.Append("\\\\");
                    break;
                case '\n':
                    output.Append("\\n");
                    break;
                case '\r':
                    output.Append("\\r");
                    break;
                case '\t':
                    output.Append("\\t");
                    break;
                case '\b':
                    output.Append("\\b");
                    break;
                case '\f':
                    output.Append("\\f");
                    break;
                case < ' ':
                    output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    output.Append(c);
                    break;
            }
        }

        output.Append('"');
    }

    private static string FormatDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }
}
