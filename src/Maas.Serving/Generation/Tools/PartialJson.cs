using System.Text.Json;

namespace Maas.Serving.Generation.Tools;

/// <summary>Scans JSON that may still be arriving: where a value ends, or that the text stops inside it, or that it is not JSON.</summary>
internal static class PartialJson
{
    /// <summary>The text ended inside the value.</summary>
    public const int Incomplete = -1;

    /// <summary>The text cannot be (the start of) a JSON value.</summary>
    public const int Invalid = -2;

    private const int MaxDepth = 64;

    /// <summary>The index just past the value starting at <paramref name="i"/>, or <see cref="Incomplete"/> or <see cref="Invalid"/>.</summary>
    /// <param name="text">The text so far.</param>
    /// <param name="i">Where the value starts (no leading whitespace).</param>
    /// <param name="final">No more text will come: a number running to the end is complete.</param>
    public static int ScanValue(string text, int i, bool final) => Scan(text, i, final, 0);

    public static int SkipWhitespace(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\r')
        {
            i++;
        }

        return i;
    }

    /// <summary>The string value of the complete JSON string literal <c>text[start..end]</c>.</summary>
    public static string DecodeString(string text, int start, int end)
    {
        var raw = text.AsSpan(start + 1, end - start - 2);
        return raw.Contains('\\') ? JsonSerializer.Deserialize<string>(text.AsSpan(start, end - start)) ?? string.Empty : raw.ToString();
    }

    private static int Scan(string text, int i, bool final, int depth)
    {
        if (i >= text.Length)
        {
            return Incomplete;
        }

        if (depth > MaxDepth)
        {
            return Invalid;
        }

        return text[i] switch
        {
            '"' => ScanString(text, i),
            '{' => ScanContainer(text, i, final, depth, '}', keyed: true),
            '[' => ScanContainer(text, i, final, depth, ']', keyed: false),
            't' => ScanLiteral(text, i, "true"),
            'f' => ScanLiteral(text, i, "false"),
            'n' => ScanLiteral(text, i, "null"),
            '-' or (>= '0' and <= '9') => ScanNumber(text, i, final),
            _ => Invalid,
        };
    }

    private static int ScanString(string text, int i)
    {
        for (var j = i + 1; j < text.Length; j++)
        {
            var c = text[j];
            if (c == '"')
            {
                return j + 1;
            }

            if (c == '\\')
            {
                j++;
            }
            else if (c < ' ')
            {
                return Invalid;
            }
        }

        return Incomplete;
    }

    private static int ScanLiteral(string text, int i, string literal)
    {
        var available = Math.Min(literal.Length, text.Length - i);
        if (string.CompareOrdinal(text, i, literal, 0, available) != 0)
        {
            return Invalid;
        }

        return available == literal.Length ? i + literal.Length : Incomplete;
    }

    private static int ScanNumber(string text, int i, bool final)
    {
        var j = i;
        var digits = false;
        while (j < text.Length && text[j] is '-' or '+' or '.' or 'e' or 'E' or (>= '0' and <= '9'))
        {
            digits |= char.IsAsciiDigit(text[j]);
            j++;
        }

        if (j == text.Length && !final)
        {
            return Incomplete;
        }

        return digits ? j : Invalid;
    }

    private static int ScanContainer(string text, int i, bool final, int depth, char close, bool keyed)
    {
        var j = SkipWhitespace(text, i + 1);
        if (j >= text.Length)
        {
            return Incomplete;
        }

        if (text[j] == close)
        {
            return j + 1;
        }

        while (true)
        {
            if (keyed)
            {
                if (text[j] != '"')
                {
                    return Invalid;
                }

                j = ScanString(text, j);
                if (j < 0)
                {
                    return j;
                }

                j = SkipWhitespace(text, j);
                if (j >= text.Length)
                {
                    return Incomplete;
                }

                if (text[j] != ':')
                {
                    return Invalid;
                }

                j = SkipWhitespace(text, j + 1);
            }

            j = Scan(text, j, final, depth + 1);
            if (j < 0)
            {
                return j;
            }

            j = SkipWhitespace(text, j);
            if (j >= text.Length)
            {
                return Incomplete;
            }

            if (text[j] == close)
            {
                return j + 1;
            }

            if (text[j] != ',')
            {
                return Invalid;
            }

            j = SkipWhitespace(text, j + 1);
            if (j >= text.Length)
            {
                return Incomplete;
            }
        }
    }
}
