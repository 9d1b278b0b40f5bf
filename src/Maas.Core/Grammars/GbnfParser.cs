using Maas.Core.Errors;

namespace Maas.Core.Grammars;

/// <summary>Recursive-descent parser for GBNF, following llama.cpp's grammar parser (and its error cases).</summary>
/// <remarks>Groups and repetitions become generated rules (<c>name_N</c>); <c>x*</c> is <c>r ::= x r | ()</c>, <c>x{m,n}</c> is m
/// copies followed by nested optionals, so the matcher only ever sees characters, rule references and ends.</remarks>
internal sealed class GbnfParser
{
    /// <summary>Largest count allowed in <c>{m,n}</c>: each unit copies the repeated item.</summary>
    public const int MaxRepetition = 1000;

    private readonly string _text;
    private readonly GbnfLexer _lexer;
    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly List<List<List<(GrammarElementKind Kind, int Argument)>>?> _rules = [];
    private readonly List<GrammarCharSet> _charSets = [];
    private readonly List<int> _firstUse = [];

    public GbnfParser(string text)
    {
        _text = text;
        _lexer = new GbnfLexer(text);
    }

    public GbnfGrammar Parse()
    {
        var pos = _lexer.SkipSpace(0, true);
        if (pos >= _text.Length)
        {
            throw _lexer.Error(0, "the grammar is empty");
        }

        while (pos < _text.Length)
        {
            pos = ParseRule(pos);
        }

        for (var i = 0; i < _rules.Count; i++)
        {
            if (_rules[i] is null)
            {
                throw _lexer.Error(_firstUse[i], $"rule '{_names[i]}' is used but not defined");
            }
        }

        if (!_symbols.TryGetValue("root", out var root))
        {
            throw MaasException.InvalidArgument("The grammar has no 'root' rule.");
        }

        CheckLeftRecursion();
        return Compile(root);
    }

    private int ParseRule(int pos)
    {
        var nameEnd = _lexer.ParseName(pos);
        var name = _text[pos..nameEnd];
        pos = _lexer.SkipSpace(nameEnd, false);
        if (!_lexer.At(pos, "::="))
        {
            throw _lexer.Error(pos, $"expecting '::=' after rule name '{name}'");
        }

        pos = _lexer.SkipSpace(pos + 3, true);
        var id = Symbol(name, pos);
        if (_rules[id] is not null)
        {
            throw _lexer.Error(pos, $"rule '{name}' is defined twice");
        }

        pos = ParseAlternates(pos, name, id, false);
        if (pos < _text.Length && _text[pos] == '\r')
        {
            pos++;
        }

        if (pos < _text.Length)
        {
            if (_text[pos] != '\n')
            {
                throw _lexer.Error(pos, $"unexpected '{_text[pos]}'; expecting a newline or the end");
            }

            pos++;
        }

        return _lexer.SkipSpace(pos, true);
    }

    private int ParseAlternates(int pos, string ruleName, int ruleId, bool nested)
    {
        var alternatives = new List<List<(GrammarElementKind, int)>>();
        var sequence = new List<(GrammarElementKind, int)>();
        pos = ParseSequence(pos, ruleName, sequence, nested);
        alternatives.Add(sequence);
        while (true)
        {
            // A leading '|' on the next line continues the rule (llama.cpp needs it on the same line; accepting both is harmless).
            var next = nested ? pos : _lexer.SkipSpace(pos, true);
            if (next >= _text.Length || _text[next] != '|')
            {
                break;
            }

            pos = _lexer.SkipSpace(next + 1, true);
            sequence = [];
            pos = ParseSequence(pos, ruleName, sequence, nested);
            alternatives.Add(sequence);
        }

        _rules[ruleId] = alternatives;
        return pos;
    }

    private int ParseSequence(int pos, string ruleName, List<(GrammarElementKind Kind, int Argument)> elements, bool nested)
    {
        var lastStart = -1;
        while (pos < _text.Length)
        {
            var c = _text[pos];
            if (c == '"')
            {
                lastStart = elements.Count;
                var codePoints = new List<int>();
                pos = _lexer.ParseLiteral(pos, codePoints);
                foreach (var codePoint in codePoints)
                {
                    elements.Add((GrammarElementKind.Chars, AddCharSet(GrammarCharSet.Single(codePoint))));
                }

                pos = _lexer.SkipSpace(pos, nested);
            }
            else if (c == '[')
            {
                lastStart = elements.Count;
                pos = _lexer.ParseCharClass(pos, out var set);
                elements.Add((GrammarElementKind.Chars, AddCharSet(set)));
                pos = _lexer.SkipSpace(pos, nested);
            }
            else if (c == '.')
            {
                lastStart = elements.Count;
                elements.Add((GrammarElementKind.Chars, AddCharSet(GrammarCharSet.Any())));
                pos = _lexer.SkipSpace(pos + 1, nested);
            }
            else if (GbnfLexer.IsWordChar(c))
            {
                var end = _lexer.ParseName(pos);
                if (_lexer.At(_lexer.SkipSpace(end, false), "::="))
                {
                    // The next rule's header (only reachable inside an unclosed group).
                    throw _lexer.Error(pos, "expecting ')' before the next rule");
                }

                lastStart = elements.Count;
                elements.Add((GrammarElementKind.Rule, Symbol(_text[pos..end], pos)));
                pos = _lexer.SkipSpace(end, nested);
            }
            else if (c == '(')
            {
                lastStart = elements.Count;
                pos = _lexer.SkipSpace(pos + 1, true);
                var sub = NewSymbol(ruleName, pos);
                pos = ParseAlternates(pos, ruleName, sub, true);
                if (pos >= _text.Length || _text[pos] != ')')
                {
                    throw _lexer.Error(pos, "expecting ')'");
                }

                elements.Add((GrammarElementKind.Rule, sub));
                pos = _lexer.SkipSpace(pos + 1, nested);
            }
            else if (c is '*' or '+' or '?')
            {
                if (lastStart < 0)
                {
                    throw _lexer.Error(pos, $"'{c}' has no item before it");
                }

                lastStart = Repeat(elements, lastStart, ruleName, c == '+' ? 1 : 0, c == '?' ? 1 : -1, pos);
                pos = _lexer.SkipSpace(pos + 1, nested);
            }
            else if (c == '{')
            {
                if (lastStart < 0)
                {
                    throw _lexer.Error(pos, "'{' has no item before it");
                }

                var open = pos;
                pos = _lexer.SkipSpace(pos + 1, nested);
                pos = _lexer.ParseInt(pos, out var min);
                pos = _lexer.SkipSpace(pos, nested);
                var max = min;
                if (pos < _text.Length && _text[pos] == ',')
                {
                    pos = _lexer.SkipSpace(pos + 1, nested);
                    if (pos < _text.Length && char.IsAsciiDigit(_text[pos]))
                    {
                        pos = _lexer.ParseInt(pos, out max);
                        pos = _lexer.SkipSpace(pos, nested);
                    }
                    else
                    {
                        max = -1;
                    }
                }

                if (pos >= _text.Length || _text[pos] != '}')
                {
                    throw _lexer.Error(pos, "expecting '}'");
                }

                if ((max >= 0 && max < min) || min > MaxRepetition || max > MaxRepetition)
                {
                    throw _lexer.Error(open, $"repetition counts must satisfy m <= n <= {MaxRepetition}");
                }

                lastStart = Repeat(elements, lastStart, ruleName, min, max, open);
                pos = _lexer.SkipSpace(pos + 1, nested);
            }
            else
            {
                break;
            }
        }

        return pos;
    }

    // Replaces elements[start..] (one item) by min copies and then up to (max - min) more (max < 0: unbounded).
    private int Repeat(List<(GrammarElementKind Kind, int Argument)> elements, int start, string ruleName, int min, int max, int pos)
    {
        var item = elements.GetRange(start, elements.Count - start);
        elements.RemoveRange(start, item.Count);
        if (item.Count > 1)
        {
            // Copies of a multi-element item share one rule.
            var wrapped = NewSymbol(ruleName, pos);
            _rules[wrapped] = [item];
            item = [(GrammarElementKind.Rule, wrapped)];
        }

        for (var i = 0; i < min; i++)
        {
            elements.AddRange(item);
        }

        if (max < 0)
        {
            // star ::= item star | ()
            var star = NewSymbol(ruleName, pos);
            _rules[star] = [[.. item, (GrammarElementKind.Rule, star)], []];
            elements.Add((GrammarElementKind.Rule, star));
        }
        else if (max > min)
        {
            // opt_k ::= item opt_(k+1) | (), innermost opt ::= item | ()
            var next = -1;
            for (var i = 0; i < max - min; i++)
            {
                var optional = NewSymbol(ruleName, pos);
                List<(GrammarElementKind, int)> body = [.. item];
                if (next >= 0)
                {
                    body.Add((GrammarElementKind.Rule, next));
                }

                _rules[optional] = [body, []];
                next = optional;
            }

            elements.Add((GrammarElementKind.Rule, next));
        }

        return start;
    }


    private int Symbol(string name, int pos)
    {
        if (!_symbols.TryGetValue(name, out var id))
        {
            id = _names.Count;
            _symbols[name] = id;
            _names.Add(name);
            _rules.Add(null);
            _firstUse.Add(pos);
        }

        return id;
    }

    private int NewSymbol(string baseName, int pos)
    {
        var n = _names.Count;
        var name = $"{baseName}_{n}";
        while (_symbols.ContainsKey(name))
        {
            name = $"{baseName}_{++n}";
        }

        return Symbol(name, pos);
    }

    private int AddCharSet(GrammarCharSet set)
    {
        _charSets.Add(set);
        return _charSets.Count - 1;
    }

    // Top-down matching loops on a rule that can reach itself without consuming a character.
    private void CheckLeftRecursion()
    {
        var nullable = new bool[_rules.Count];
        for (var changed = true; changed;)
        {
            changed = false;
            for (var r = 0; r < _rules.Count; r++)
            {
                if (!nullable[r] && _rules[r]!.Any(alt => alt.All(e => e.Kind == GrammarElementKind.Rule && nullable[e.Argument])))
                {
                    nullable[r] = true;
                    changed = true;
                }
            }
        }

        var state = new byte[_rules.Count];
        for (var r = 0; r < _rules.Count; r++)
        {
            Visit(r);
        }

        void Visit(int rule)
        {
            if (state[rule] == 2)
            {
                return;
            }

            if (state[rule] == 1)
            {
                throw MaasException.InvalidArgument($"The grammar is left-recursive at rule '{_names[rule]}'.");
            }

            state[rule] = 1;
            foreach (var alternative in _rules[rule]!)
            {
                foreach (var (kind, argument) in alternative)
                {
                    if (kind != GrammarElementKind.Rule)
                    {
                        break;
                    }

                    Visit(argument);
                    if (!nullable[argument])
                    {
                        break;
                    }
                }
            }

            state[rule] = 2;
        }
    }

    private GbnfGrammar Compile(int root)
    {
        var kinds = new List<GrammarElementKind>();
        var arguments = new List<int>();
        var alternatives = new int[_rules.Count][];
        for (var r = 0; r < _rules.Count; r++)
        {
            var rule = _rules[r]!;
            alternatives[r] = new int[rule.Count];
            for (var a = 0; a < rule.Count; a++)
            {
                alternatives[r][a] = kinds.Count;
                foreach (var (kind, argument) in rule[a])
                {
                    kinds.Add(kind);
                    arguments.Add(argument);
                }

                kinds.Add(GrammarElementKind.End);
                arguments.Add(0);
            }
        }

        return new GbnfGrammar(_text, [.. _names], [.. kinds], [.. arguments], alternatives, [.. _charSets], root);
    }
}
