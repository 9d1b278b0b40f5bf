using System.Globalization;

namespace Maas.Serving.Generation.Templates;

/// <summary>Parses Jinja expressions into closures over a <see cref="TemplateScope"/>.</summary>
/// <remarks>
/// Precedence, lowest first: <c>a if c else b</c>, <c>or</c>, <c>and</c>, <c>not</c>, comparisons (<c>== != &lt; &gt;
/// in, not in, is [not] test</c>), <c>~</c>, <c>+ -</c>, <c>* / // %</c>, unary minus, then postfix
/// <c>.attr</c>, <c>[index]</c>, <c>[a:b]</c>, calls and <c>| filter</c>.
/// </remarks>
internal sealed class ExpressionParser(List<ExpressionToken> tokens)
{
    private int _position;

    public ExpressionToken Peek => tokens[_position];

    public bool AtEnd => Peek.Kind == 'e';

    public ExpressionToken Next() => tokens[_position++];

    public ExpressionToken PeekAt(int offset) => tokens[Math.Min(_position + offset, tokens.Count - 1)];

    public bool Accept(string op)
    {
        if (Peek.Is(op))
        {
            _position++;
            return true;
        }

        return false;
    }

    public void Expect(string op)
    {
        if (!Accept(op))
        {
            throw new TemplateSyntaxException($"Expected '{op}' but found '{Peek.Text}'.");
        }
    }

    public string ExpectName()
    {
        var token = Next();
        return token.Kind == 'n' ? token.Text : throw new TemplateSyntaxException($"Expected a name but found '{token.Text}'.");
    }

    public void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw new TemplateSyntaxException($"Unexpected '{Peek.Text}'.");
        }
    }

    public Func<TemplateScope, object?> Parse()
    {
        var value = ParseOr();
        if (!Peek.Is("if"))
        {
            return value;
        }

        // "x if c else y" without an else yields undefined when c is false; "else" must not be eaten inside a for-if filter.
        _position++;
        var condition = ParseOr();
        var otherwise = Accept("else") ? Parse() : _ => Undefined.Value;
        return scope => TemplateValues.IsTrue(condition(scope)) ? value(scope) : otherwise(scope);
    }

    public Func<TemplateScope, object?> ParseOr()
    {
        var left = ParseAnd();
        while (Accept("or"))
        {
            var l = left;
            var right = ParseAnd();
            left = scope => l(scope) is var v && TemplateValues.IsTrue(v) ? v : right(scope);
        }

        return left;
    }

    private Func<TemplateScope, object?> ParseAnd()
    {
        var left = ParseNot();
        while (Accept("and"))
        {
            var l = left;
            var right = ParseNot();
            left = scope => l(scope) is var v && !TemplateValues.IsTrue(v) ? v : right(scope);
        }

        return left;
    }

    private Func<TemplateScope, object?> ParseNot()
    {
        if (Accept("not"))
        {
            var operand = ParseNot();
            return scope => !TemplateValues.IsTrue(operand(scope));
        }

        return ParseComparison();
    }

    private Func<TemplateScope, object?> ParseComparison()
    {
        var left = ParseConcat();
        while (true)
        {
            var l = left;
            if (Peek.Kind == 'o' && Peek.Text is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = Next().Text;
                var right = ParseConcat();
                left = op switch
                {
                    "==" => scope => TemplateValues.Equals(l(scope), right(scope)),
                    "!=" => scope => !TemplateValues.Equals(l(scope), right(scope)),
                    "<" => scope => TemplateValues.Compare(l(scope), right(scope)) < 0,
                    ">" => scope => TemplateValues.Compare(l(scope), right(scope)) > 0,
                    "<=" => scope => TemplateValues.Compare(l(scope), right(scope)) <= 0,
                    _ => scope => TemplateValues.Compare(l(scope), right(scope)) >= 0,
                };
            }
            else if (Accept("in"))
            {
                var right = ParseConcat();
                left = scope => TemplateValues.Contains(right(scope), l(scope));
            }
            else if (Peek.Is("not") && tokens[_position + 1].Is("in"))
            {
                _position += 2;
                var right = ParseConcat();
                left = scope => !TemplateValues.Contains(right(scope), l(scope));
            }
            else if (Accept("is"))
            {
                var negate = Accept("not");
                var test = ExpectName();
                var testArgs = TestArguments();
                left = scope => TemplateMethods.Test(l(scope), test, testArgs.Select(a => a(scope)).ToList()) != negate;
            }
            else
            {
                return left;
            }
        }
    }

    private Func<TemplateScope, object?> ParseConcat()
    {
        var left = ParseAdditive();
        while (Accept("~"))
        {
            var l = left;
            var right = ParseAdditive();
            left = scope => TemplateValues.Render(l(scope)) + TemplateValues.Render(right(scope));
        }

        return left;
    }

    private Func<TemplateScope, object?> ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind == 'o' && Peek.Text is "+" or "-")
        {
            var op = Next().Text;
            var l = left;
            var right = ParseMultiplicative();
            left = op == "+"
                ? scope => TemplateValues.Add(l(scope), right(scope))
                : scope => TemplateValues.Arithmetic("-", l(scope), right(scope));
        }

        return left;
    }

    private Func<TemplateScope, object?> ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind == 'o' && Peek.Text is "*" or "/" or "//" or "%")
        {
            var op = Next().Text;
            var l = left;
            var right = ParseUnary();
            left = scope => TemplateValues.Arithmetic(op, l(scope), right(scope));
        }

        return left;
    }

    private Func<TemplateScope, object?> ParseUnary()
    {
        if (Accept("-"))
        {
            var operand = ParseUnary();
            return scope => TemplateValues.Arithmetic("-", 0L, operand(scope));
        }

        return ParsePostfix(ParsePrimary());
    }

    private Func<TemplateScope, object?> ParsePostfix(Func<TemplateScope, object?> target)
    {
        while (true)
        {
            var t = target;
            if (Accept("."))
            {
                var name = ExpectName();
                if (Accept("("))
                {
                    var (args, _) = ParseArguments();
                    target = scope => TemplateMethods.CallMethod(t(scope), name, args.Select(a => a(scope)).ToList());
                }
                else
                {
                    target = scope => TemplateValues.GetItem(t(scope), name);
                }
            }
            else if (Accept("["))
            {
                target = ParseSubscript(t);
            }
            else if (Accept("("))
            {
                var (args, keywords) = ParseArguments();
                target = scope => t(scope) is TemplateFunction function
                    ? function(args.Select(a => a(scope)).ToList(), keywords.ToDictionary(k => k.Key, k => k.Value(scope)))
                    : throw new TemplateSyntaxException("Called something that is not a function.");
            }
            else if (Accept("|"))
            {
                var name = ExpectName();
                var (args, keywords) = Accept("(") ? ParseArguments() : ([], []);
                target = scope => TemplateMethods.ApplyFilter(t(scope), name, args.Select(a => a(scope)).ToList(),
                    keywords.ToDictionary(k => k.Key, k => k.Value(scope)));
            }
            else
            {
                return target;
            }
        }
    }

    /// <summary>A test's argument: <c>is divisibleby(3)</c>, or one literal as in <c>is equalto 'x'</c>.</summary>
    private List<Func<TemplateScope, object?>> TestArguments()
    {
        if (Accept("("))
        {
            return ParseArguments().Positional;
        }

        return Peek.Kind is 's' or 'i' or 'f' ? [ParsePrimary()] : [];
    }

    private Func<TemplateScope, object?> ParseSubscript(Func<TemplateScope, object?> target)
    {
        Func<TemplateScope, object?>? start = Peek.Is(":") ? null : Parse();
        if (!Accept(":"))
        {
            Expect("]");
            var index = start!;
            return scope => TemplateValues.GetItem(target(scope), index(scope));
        }

        Func<TemplateScope, object?>? stop = Peek.Is("]") ? null : Parse();
        Expect("]");
        return scope => TemplateValues.Slice(target(scope), start?.Invoke(scope), stop?.Invoke(scope));
    }

    private (List<Func<TemplateScope, object?>> Positional, Dictionary<string, Func<TemplateScope, object?>> Keywords) ParseArguments()
    {
        var positional = new List<Func<TemplateScope, object?>>();
        var keywords = new Dictionary<string, Func<TemplateScope, object?>>(StringComparer.Ordinal);
        while (!Accept(")"))
        {
            if (Peek.Kind == 'n' && tokens[_position + 1].Is("="))
            {
                var name = Next().Text;
                _position++;
                keywords[name] = Parse();
            }
            else
            {
                positional.Add(Parse());
            }

            if (!Peek.Is(")"))
            {
                Expect(",");
            }
        }

        return (positional, keywords);
    }

    private Func<TemplateScope, object?> ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case 's':
                var text = token.Text;
                while (Peek.Kind == 's')
                {
                    text += Next().Text;
                }

                return _ => text;
            case 'i':
                var integer = long.Parse(token.Text, CultureInfo.InvariantCulture);
                return _ => integer;
            case 'f':
                var real = double.Parse(token.Text, CultureInfo.InvariantCulture);
                return _ => real;
            case 'n':
                return token.Text switch
                {
                    "true" or "True" => _ => true,
                    "false" or "False" => _ => false,
                    "none" or "None" => _ => null,
                    var name => scope => scope.Get(name),
                };
        }

        if (token.Is("("))
        {
            var inner = Parse();
            Expect(")");
            return inner;
        }

        if (token.Is("["))
        {
            var items = new List<Func<TemplateScope, object?>>();
            while (!Accept("]"))
            {
                items.Add(Parse());
                if (!Peek.Is("]"))
                {
                    Expect(",");
                }
            }

            return scope => items.Select(i => i(scope)).ToList();
        }

        if (token.Is("{"))
        {
            var entries = new List<(Func<TemplateScope, object?> Key, Func<TemplateScope, object?> Value)>();
            while (!Accept("}"))
            {
                var key = Parse();
                Expect(":");
                entries.Add((key, Parse()));
                if (!Peek.Is("}"))
                {
                    Expect(",");
                }
            }

            return scope => entries.ToDictionary(e => TemplateValues.Render(e.Key(scope)), e => e.Value(scope), StringComparer.Ordinal);
        }

        throw new TemplateSyntaxException($"Unexpected '{token.Text}' in an expression.");
    }
}
