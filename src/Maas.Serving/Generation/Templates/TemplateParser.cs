using System.Text;

namespace Maas.Serving.Generation.Templates;

/// <summary>Compiles template segments into one render action: text, <c>{{ }}</c>, if/elif/else, for (with
/// <c>loop</c>, an <c>if</c> filter and <c>else</c>), set (including <c>ns.attr</c>), and ignores <c>generation</c> markers.</summary>
internal sealed class TemplateParser(List<TemplateSegment> segments)
{
    private int _position;

    public Action<TemplateScope, StringBuilder> ParseAll()
    {
        var (body, end) = ParseBlock();
        return end is null ? body : throw new TemplateSyntaxException($"Unexpected '{{% {end} %}}'.");
    }

    /// <summary>Parses until an end keyword (endif, elif, else, endfor) or the end of the template.</summary>
    private (Action<TemplateScope, StringBuilder> Body, string? End) ParseBlock()
    {
        var nodes = new List<Action<TemplateScope, StringBuilder>>();
        while (_position < segments.Count)
        {
            var segment = segments[_position++];
            switch (segment.Kind)
            {
                case SegmentKind.Text:
                    var text = segment.Text;
                    nodes.Add((_, output) => output.Append(text));
                    break;
                case SegmentKind.Output:
                    var parser = new ExpressionParser(ExpressionTokenizer.Tokenize(segment.Text));
                    var expression = parser.Parse();
                    parser.ExpectEnd();
                    nodes.Add((scope, output) => output.Append(TemplateValues.Render(expression(scope))));
                    break;
                default:
                    var statement = new ExpressionParser(ExpressionTokenizer.Tokenize(segment.Text));
                    var keyword = statement.ExpectName();
                    switch (keyword)
                    {
                        case "if":
                            nodes.Add(ParseIf(statement));
                            break;
                        case "for":
                            nodes.Add(ParseFor(statement));
                            break;
                        case "set":
                            nodes.Add(ParseSet(statement));
                            break;
                        case "macro":
                            nodes.Add(ParseMacro(statement));
                            break;
                        case "call":
                            nodes.Add(ParseCall(statement));
                            break;
                        case "break" or "continue":
                            statement.ExpectEnd();
                            var loopBreak = keyword == "break";
                            nodes.Add((_, _) => throw new LoopControlException(loopBreak));
                            break;
                        case "generation" or "endgeneration":
                            break;
                        case "elif" or "else" or "endif" or "endfor" or "endmacro" or "endcall" or "endset":
                            _position--;
                            return (Sequence(nodes), keyword);
                        default:
                            throw new TemplateSyntaxException($"Unsupported statement '{keyword}'.");
                    }

                    break;
            }
        }

        return (Sequence(nodes), null);
    }

    private Action<TemplateScope, StringBuilder> ParseIf(ExpressionParser header)
    {
        var branches = new List<(Func<TemplateScope, object?> Condition, Action<TemplateScope, StringBuilder> Body)>();
        var condition = header.Parse();
        header.ExpectEnd();
        while (true)
        {
            var (body, end) = ParseBlock();
            if (end == "endfor")
            {
                throw new TemplateSyntaxException("'endfor' closes an 'if'.");
            }

            branches.Add((condition, body));
            var closing = Closing(end, "endif");
            if (closing.ExpectName() == "endif")
            {
                break;
            }

            if (end == "else")
            {
                condition = _ => true;
                continue;
            }

            condition = closing.Parse();
            closing.ExpectEnd();
        }

        return (scope, output) =>
        {
            foreach (var (test, body) in branches)
            {
                if (TemplateValues.IsTrue(test(scope)))
                {
                    body(scope, output);
                    return;
                }
            }
        };
    }

    private Action<TemplateScope, StringBuilder> ParseFor(ExpressionParser header)
    {
        var names = new List<string> { header.ExpectName() };
        while (header.Accept(","))
        {
            names.Add(header.ExpectName());
        }

        header.Expect("in");
        var items = header.ParseOr();
        var filter = header.Accept("if") ? header.ParseOr() : null;
        header.ExpectEnd();
        var (body, end) = ParseBlock();
        if (end is "elif" or "endif")
        {
            throw new TemplateSyntaxException($"'{end}' inside a 'for' without its 'if'.");
        }

        Action<TemplateScope, StringBuilder>? otherwise = null;
        if (Closing(end, "endfor").ExpectName() == "else")
        {
            (otherwise, end) = ParseBlock();
            if (Closing(end, "endfor").ExpectName() != "endfor")
            {
                throw new TemplateSyntaxException("A 'for' block's 'else' must end with 'endfor'.");
            }
        }

        return (scope, output) =>
        {
            var all = TemplateMethods.AsList(items(scope)).ToList();
            if (filter is not null)
            {
                all = all.Where(item => TemplateValues.IsTrue(filter(Bind(new TemplateScope(scope), names, item)))).ToList();
            }

            if (all.Count == 0)
            {
                otherwise?.Invoke(scope, output);
                return;
            }

            for (var i = 0; i < all.Count; i++)
            {
                var inner = Bind(new TemplateScope(scope), names, all[i]);
                inner.Set("loop", new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["index0"] = (long)i,
                    ["index"] = (long)i + 1,
                    ["revindex0"] = (long)(all.Count - i - 1),
                    ["revindex"] = (long)(all.Count - i),
                    ["first"] = i == 0,
                    ["last"] = i == all.Count - 1,
                    ["length"] = (long)all.Count,
                    ["previtem"] = i > 0 ? all[i - 1] : Undefined.Value,
                    ["nextitem"] = i < all.Count - 1 ? all[i + 1] : Undefined.Value,
                });
                try
                {
                    body(inner, output);
                }
                catch (LoopControlException control)
                {
                    if (control.IsBreak)
                    {
                        break;
                    }
                }
            }
        };
    }

    /// <summary><c>{% macro name(a, b=default) %}…{% endmacro %}</c>: a function that renders its body to a string; a
    /// <c>{% call %}</c> block reaches it as <c>caller()</c>.</summary>
    private Action<TemplateScope, StringBuilder> ParseMacro(ExpressionParser header)
    {
        var name = header.ExpectName();
        var parameters = new List<(string Name, Func<TemplateScope, object?>? Default)>();
        header.Expect("(");
        while (!header.Accept(")"))
        {
            var parameter = header.ExpectName();
            parameters.Add((parameter, header.Accept("=") ? header.Parse() : null));
            if (!header.Peek.Is(")"))
            {
                header.Expect(",");
            }
        }

        header.ExpectEnd();
        var (body, end) = ParseBlock();
        if (Closing(end, "endmacro").ExpectName() != "endmacro")
        {
            throw new TemplateSyntaxException($"'{end}' inside a macro.");
        }

        return (scope, _) => scope.Set(name, new TemplateFunction((args, keywords) =>
        {
            var inner = new TemplateScope(scope);
            for (var i = 0; i < parameters.Count; i++)
            {
                var (parameter, fallback) = parameters[i];
                inner.Set(parameter, i < args.Count ? args[i]
                    : keywords.TryGetValue(parameter, out var value) ? value
                    : fallback is null ? Undefined.Value : fallback(scope));
            }

            if (keywords.TryGetValue("caller", out var caller))
            {
                inner.Set("caller", caller);
            }

            var output = new StringBuilder();
            body(inner, output);
            return output.ToString();
        }));
    }

    /// <summary><c>{% call macro(args) %}body{% endcall %}</c>: calls the macro with <c>caller</c> rendering the body.</summary>
    private Action<TemplateScope, StringBuilder> ParseCall(ExpressionParser header)
    {
        var target = header.ExpectName();
        header.Expect("(");
        var arguments = new List<Func<TemplateScope, object?>>();
        var keywords = new Dictionary<string, Func<TemplateScope, object?>>(StringComparer.Ordinal);
        while (!header.Accept(")"))
        {
            if (header.Peek.Kind == 'n' && header.PeekAt(1).Is("="))
            {
                var keyword = header.ExpectName();
                header.Expect("=");
                keywords[keyword] = header.Parse();
            }
            else
            {
                arguments.Add(header.Parse());
            }

            if (!header.Peek.Is(")"))
            {
                header.Expect(",");
            }
        }

        header.ExpectEnd();
        var (body, end) = ParseBlock();
        if (Closing(end, "endcall").ExpectName() != "endcall")
        {
            throw new TemplateSyntaxException($"'{end}' inside a call block.");
        }

        return (scope, output) =>
        {
            if (scope.Get(target) is not TemplateFunction macro)
            {
                throw new TemplateSyntaxException($"'{target}' is not a macro.");
            }

            var values = keywords.ToDictionary(k => k.Key, k => k.Value(scope));
            values["caller"] = new TemplateFunction((_, _) =>
            {
                var text = new StringBuilder();
                body(new TemplateScope(scope), text);
                return text.ToString();
            });
            output.Append(TemplateValues.Render(macro(arguments.Select(a => a(scope)).ToList(), values)));
        };
    }

    /// <summary><c>{% set name %}…{% endset %}</c>: the rendered body as a string.</summary>
    private Action<TemplateScope, StringBuilder> ParseSetBlock(string name)
    {
        var (body, end) = ParseBlock();
        if (Closing(end, "endset").ExpectName() != "endset")
        {
            throw new TemplateSyntaxException($"'{end}' inside a set block.");
        }

        return (scope, _) =>
        {
            var text = new StringBuilder();
            body(scope, text);
            scope.Set(name, text.ToString());
        };
    }

    private Action<TemplateScope, StringBuilder> ParseSet(ExpressionParser header)
    {
        var name = header.ExpectName();
        var attribute = header.Accept(".") ? header.ExpectName() : null;
        if (attribute is null && header.AtEnd)
        {
            return ParseSetBlock(name);
        }

        header.Expect("=");
        var value = header.Parse();
        header.ExpectEnd();
        return (scope, _) =>
        {
            if (attribute is null)
            {
                scope.Set(name, value(scope));
            }
            else if (scope.Get(name) is IDictionary<string, object?> target)
            {
                target[attribute] = value(scope);
            }
            else
            {
                throw new TemplateSyntaxException($"'{name}' is not a namespace.");
            }
        };
    }

    private static TemplateScope Bind(TemplateScope scope, List<string> names, object? item)
    {
        if (names.Count == 1)
        {
            scope.Set(names[0], item);
            return scope;
        }

        var parts = TemplateMethods.AsList(item).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            scope.Set(names[i], i < parts.Count ? parts[i] : Undefined.Value);
        }

        return scope;
    }

    /// <summary>The closing statement's parser, positioned after nothing; throws when the block was never closed.</summary>
    private ExpressionParser Closing(string? end, string expected)
    {
        if (end is null)
        {
            throw new TemplateSyntaxException($"Missing '{{% {expected} %}}'.");
        }

        return new ExpressionParser(ExpressionTokenizer.Tokenize(segments[_position++].Text));
    }

    private static Action<TemplateScope, StringBuilder> Sequence(List<Action<TemplateScope, StringBuilder>> nodes) => (scope, output) =>
    {
        foreach (var node in nodes)
        {
            node(scope, output);
        }
    };
}
