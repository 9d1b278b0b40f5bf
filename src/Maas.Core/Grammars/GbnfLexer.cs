using System.Globalization;
using Maas.Core.Errors;

namespace Maas.Core.Grammars;

/// <summary>The token level of GBNF: characters and their escapes, literals, character classes, numbers, rule names,
/// spaces and comments, and errors that name the line and column.</summary>
/// <remarks>Each method takes a position in the text and returns the position after what it read.</remarks>
internal sealed class GbnfLexer(string text)
{
    private readonly string _text = text;

    /// <summary>Reads a quoted literal at <paramref name="pos"/> (its opening quote) into <paramref name="codePoints"/>;
    /// returns the position after the closing quote.</summary>
    public int ParseLiteral(int pos, List<int> codePoints)
    {
        pos++;
        while (pos < _text.Length && _text[pos] != '"')
        {
            pos = ParseChar(pos, out var codePoint);
            codePoints.Add(codePoint);
        }

        if (pos >= _text.Length)
        {
            throw Error(pos, "unterminated literal");
        }

        return pos + 1;
    }

    /// <summary>Reads a character class at <paramref name="pos"/> (its <c>[</c>); returns the position after its <c>]</c>.</summary>
    public int ParseCharClass(int pos, out GrammarCharSet set)
    {
        var start = pos;
        pos++;
        var negated = pos < _text.Length && _text[pos] == '^';
        if (negated)
        {
            pos++;
        }

        var ranges = new List<(int, int)>();
        while (pos < _text.Length && _text[pos] != ']')
        {
            pos = ParseChar(pos, out var low);
            var high = low;
            if (pos + 1 < _text.Length && _text[pos] == '-' && _text[pos + 1] != ']')
            {
                pos = ParseChar(pos + 1, out high);
                if (high < low)
                {
                    throw Error(pos, "character range is reversed");
                }
            }

            ranges.Add((low, high));
        }

        if (pos >= _text.Length)
        {
            throw Error(start, "unterminated character class");
        }

        set = new GrammarCharSet(ranges, negated);
        return pos + 1;
    }

    /// <summary>One character or escape (<c>\x</c>, <c>\u</c>, <c>\U</c>, <c>\n</c>, ...) as a code point; surrogate pairs are one.</summary>
    public int ParseChar(int pos, out int codePoint)
    {
        var c = _text[pos];
        if (c != '\\')
        {
            if (char.IsHighSurrogate(c) && pos + 1 < _text.Length && char.IsLowSurrogate(_text[pos + 1]))
            {
                codePoint = char.ConvertToUtf32(c, _text[pos + 1]);
                return pos + 2;
            }

            codePoint = c;
            return pos + 1;
        }

        if (pos + 1 >= _text.Length)
        {
            throw Error(pos, "unfinished escape");
        }

        var e = _text[pos + 1];
        switch (e)
        {
            case 'x':
                return ParseHex(pos + 2, 2, out codePoint);
            case 'u':
                return ParseHex(pos + 2, 4, out codePoint);
            case 'U':
                return ParseHex(pos + 2, 8, out codePoint);
            case 'n':
                codePoint = '\n';
                return pos + 2;
            case 'r':
                codePoint = '\r';
                return pos + 2;
            case 't':
                codePoint = '\t';
                return pos + 2;
            case '\\' or '"' or '[' or ']' or '-' or '^' or '/' or '\'' or '.':
                codePoint = e;
                return pos + 2;
            default:
                throw Error(pos, $"unknown escape '\\{e}'");
        }
    }

    private int ParseHex(int pos, int digits, out int codePoint)
    {
        if (pos + digits > _text.Length
            || !int.TryParse(_text.AsSpan(pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out codePoint)
            || codePoint < 0
            || codePoint > 0x10FFFF)
        {
            throw Error(pos, $"expecting {digits} hex digits");
        }

        return pos + digits;
    }

    /// <summary>A decimal count (of <c>{m,n}</c>).</summary>
    public int ParseInt(int pos, out int value)
    {
        var start = pos;
        while (pos < _text.Length && char.IsAsciiDigit(_text[pos]))
        {
            pos++;
        }

        if (pos == start || !int.TryParse(_text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            throw Error(start, "expecting a number");
        }

        return pos;
    }

    /// <summary>The end of the rule name at <paramref name="pos"/>.</summary>
    public int ParseName(int pos)
    {
        var end = pos;
        while (end < _text.Length && IsWordChar(_text[end]))
        {
            end++;
        }

        if (end == pos)
        {
            throw Error(pos, "expecting a rule name");
        }

        return end;
    }

    /// <summary>Past spaces, tabs and <c>#</c> comments, and line breaks when <paramref name="newlines"/>.</summary>
    public int SkipSpace(int pos, bool newlines)
    {
        while (pos < _text.Length)
        {
            var c = _text[pos];
            if (c is ' ' or '\t' || (newlines && c is '\r' or '\n'))
            {
                pos++;
            }
            else if (c == '#')
            {
                while (pos < _text.Length && _text[pos] is not ('\r' or '\n'))
                {
                    pos++;
                }
            }
            else
            {
                break;
            }
        }

        return pos;
    }

    /// <summary>True when <paramref name="token"/> starts at <paramref name="pos"/>.</summary>
    public bool At(int pos, string token) => string.CompareOrdinal(_text, pos, token, 0, token.Length) == 0 && pos + token.Length <= _text.Length;

    /// <summary>True for the characters of rule names.</summary>
    public static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    /// <summary>An InvalidArgument error naming the line and column of <paramref name="pos"/>.</summary>
    public MaasException Error(int pos, string what)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < pos && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return MaasException.InvalidArgument($"Invalid grammar at line {line}, column {column}: {what}.");
    }
}
