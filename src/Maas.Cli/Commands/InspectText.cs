using System.Globalization;
using System.Text;
using Maas.Formats.Gguf;

namespace Maas.Cli.Commands;

/// <summary>Short, single-line renderings of GGUF values for <c>maas inspect</c>'s tables.</summary>
internal static class InspectText
{
    private const int ArrayPreview = 5;
    private const int StringPreview = 80;

    /// <summary>The value's type as a reader would write it: <c>u32</c>, <c>string</c>, <c>string[151936]</c>.</summary>
    public static string Type(GgufValue value) =>
        value.Type == GgufValueType.Array ? $"{TypeName(value.ElementType!.Value)}[{value.ArrayLength}]" : TypeName(value.Type);

    /// <summary>A scalar in full (long strings cut); an array as its first few elements and its count.</summary>
    public static string Value(GgufValue value)
    {
        if (value.Value is not Array array)
        {
            return value.Value is string s ? Quote(s, StringPreview) : value.ToString();
        }

        var shown = array.Cast<object>().Take(ArrayPreview).Select(Element);
        var more = array.Length > ArrayPreview ? ", …" : string.Empty;
        return $"[{string.Join(", ", shown)}{more}] ({array.Length} items)";
    }

    /// <summary>A readable parameter count: 1.1B, 7.2M, 350K.</summary>
    public static string Count(long count) => count switch
    {
        >= 1_000_000_000 => (count / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (count / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (count / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A string in quotes with control characters escaped, so a newline token does not break the table.</summary>
    public static string Quote(string value, int maxLength)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value.Length > maxLength ? value[..maxLength] : value)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '"' => "\\\"",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append(value.Length > maxLength ? "\"…" : "\"").ToString();
    }

    private static string Element(object element) => element switch
    {
        string s => Quote(s, 24),
        GgufValue nested => $"{Type(nested)}",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => element.ToString() ?? string.Empty,
    };

    private static string TypeName(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => "u8",
        GgufValueType.Int8 => "i8",
        GgufValueType.UInt16 => "u16",
        GgufValueType.Int16 => "i16",
        GgufValueType.UInt32 => "u32",
        GgufValueType.Int32 => "i32",
        GgufValueType.Float32 => "f32",
        GgufValueType.Bool => "bool",
        GgufValueType.String => "string",
        GgufValueType.Array => "array",
        GgufValueType.UInt64 => "u64",
        GgufValueType.Int64 => "i64",
        GgufValueType.Float64 => "f64",
        _ => type.ToString(),
    };
}
