using System.Collections;
using System.Globalization;

namespace Maas.Serving.Generation.Templates;

/// <summary>Python-like semantics for template values: strings, longs, doubles, bools, null, lists and dictionaries.</summary>
internal static class TemplateValues
{
    public static bool IsTrue(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        ICollection c => c.Count > 0,
        _ => true,
    };

    public static string Render(object? value) => value switch
    {
        null => "None",
        Undefined => string.Empty,
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("0.0###############", CultureInfo.InvariantCulture),
        _ => ToJson(value),
    };

    public static string ToJson(object? value) => TemplateJson.Serialize(value);

    public static new bool Equals(object? left, object? right) => (left, right) switch
    {
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b,
        (double a, double b) => a == b,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        _ => ReferenceEquals(left, right),
    };

    public static int Compare(object? left, object? right) => (left, right) switch
    {
        (string a, string b) => string.CompareOrdinal(a, b),
        _ when IsNumber(left) && IsNumber(right) => ToDouble(left).CompareTo(ToDouble(right)),
        _ => throw new TemplateSyntaxException($"Cannot compare {Render(left)} with {Render(right)}."),
    };

    public static object? Add(object? left, object? right) => (left, right) switch
    {
        (long a, long b) => a + b,
        (string a, string b) => a + b,
        (IList a, IList b) => a.Cast<object?>().Concat(b.Cast<object?>()).ToList(),
        _ when IsNumber(left) && IsNumber(right) => ToDouble(left) + ToDouble(right),
        (string a, Undefined) => a,
        (Undefined, string b) => b,
        _ => throw new TemplateSyntaxException($"Cannot add {Render(left)} and {Render(right)}."),
    };

    public static object? Arithmetic(string op, object? left, object? right)
    {
        if (op == "*" && left is string text && right is long times)
        {
            return string.Concat(Enumerable.Repeat(text, (int)Math.Max(0, times)));
        }

        if (left is long a && right is long b && op != "/")
        {
            return op switch
            {
                "-" => a - b,
                "*" => a * b,
                "//" => b == 0 ? throw new TemplateSyntaxException("Division by zero.") : (long)Math.Floor((double)a / b),
                "%" => b == 0 ? throw new TemplateSyntaxException("Division by zero.") : ((a % b) + b) % b,
                _ => throw new TemplateSyntaxException($"Unknown operator {op}."),
            };
        }

        if (!IsNumber(left) || !IsNumber(right))
        {
            throw new TemplateSyntaxException($"Operator {op} needs numbers.");
        }

        var x = ToDouble(left);
        var y = ToDouble(right);
        return op switch
        {
            "-" => x - y,
            "*" => x * y,
            "/" => x / y,
            "//" => Math.Floor(x / y),
            "%" => x % y,
            _ => throw new TemplateSyntaxException($"Unknown operator {op}."),
        };
    }

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub && s.Contains(sub, StringComparison.Ordinal),
        IDictionary<string, object?> map => item is string key && map.ContainsKey(key),
        IEnumerable list => list.Cast<object?>().Any(x => Equals(x, item)),
        _ => false,
    };

    public static object? GetItem(object? target, object? key) => (target, key) switch
    {
        (IDictionary<string, object?> map, string name) => map.TryGetValue(name, out var value) ? value : Undefined.Value,
        (IList list, long index) => Index(list.Count, index) is var at && at >= 0 ? list[at] : Undefined.Value,
        (string s, long index) => Index(s.Length, index) is var at && at >= 0 ? s[at].ToString() : Undefined.Value,
        _ => Undefined.Value,
    };

    public static object? Slice(object? target, object? start, object? stop)
    {
        var length = target switch { string s => s.Length, IList l => l.Count, _ => throw new TemplateSyntaxException("Only strings and lists can be sliced.") };
        var from = Clamp(start is long a ? a : 0, length);
        var to = Clamp(stop is long b ? b : length, length);
        if (to < from)
        {
            to = from;
        }

        return target is string text ? text[from..to] : ((IList)target!).Cast<object?>().Skip(from).Take(to - from).ToList();
    }

    public static int Length(object? value) => value switch
    {
        string s => s.Length,
        ICollection c => c.Count,
        _ => 0,
    };

    public static bool IsNumber(object? value) => value is long or double;

    private static double ToDouble(object? value) => value is long l ? l : (double)value!;

    private static int Index(int length, long index) => index < 0 ? (int)(length + index) : index < length ? (int)index : -1;

    private static int Clamp(long index, int length) => (int)Math.Clamp(index < 0 ? length + index : index, 0, length);
}
