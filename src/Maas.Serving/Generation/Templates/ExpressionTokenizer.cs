using System.Text;

namespace Maas.Serving.Generation.Templates;

/// <summary>Splits the inside of a <c>{{ }}</c> or <c>{% %}</c> into tokens.</summary>
internal static class ExpressionTokenizer
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "//", "**", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|", "="];

    public static List<ExpressionToken> Tokenize(string source)
    {
        var tokens = new List<ExpressionToken>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new ExpressionToken('n', source[start..i]));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < source.Length && (char.IsDigit(source[i]) || (source[i] == '.' && i + 1 < source.Length && char.IsDigit(source[i + 1]))))
                {
                    i++;
                }

                var number = source[start..i];
                tokens.Add(new ExpressionToken(number.Contains('.') ? 'f' : 'i', number));
            }
            else if (c is '\'' or '"')
            {
                i = ReadString(source, i, tokens);
            }
            else
            {
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, i, o, 0, o.Length) == 0)
                    ?? throw new TemplateSyntaxException($"Unexpected character '{c}' in '{source}'.");
                tokens.Add(new ExpressionToken('o', op));
                i += op.Length;
            }
        }

        tokens.Add(new ExpressionToken('e', string.Empty));
        return tokens;
    }

    private static int ReadString(string source, int i, List<ExpressionToken> tokens)
    {
        var quote = source[i++];
        var text = new StringBuilder();
        while (true)
        {
            if (i >= source.Length)
            {
                throw new TemplateSyntaxException($"Unterminated string in '{source}'.");
            }

            var c = source[i++];
            if (c == quote)
            {
                break;
            }

            if (c == '\\' && i < source.Length)
            {
                var escaped = source[i++];
                text.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
            }
            else
            {
                text.Append(c);
            }
        }

        tokens.Add(new ExpressionToken('s', text.ToString()));
        return i;
    }
}
