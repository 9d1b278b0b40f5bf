using System.Globalization;
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
    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly List<List<List<(GrammarElementKind Kind, int Argument)>>?> _rules = [];
    private readonly List<GrammarCharSet> _charSets = [];
    private readonly List<int> _firstUse = [];

    public GbnfParser(string text)
    {
        _text = text;
    }

    public GbnfGrammar Parse()
    {
        var pos = SkipSpace(0, true);
        if (pos >= _text.Length)
        {
            throw Error(0, "the grammar is empty");
        }

        while (pos < _text.Length)
        {
            pos = ParseRule(pos);
        }

        for (var i = 0; i < _rules.Count; i++)
        {
            if (_rules[i] is null)
            {
                throw Error(_firstUse[i], $"rule '{_names[i]}' is used but not defined");
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
        var nameEnd = ParseName(pos);
        var name = _text[pos..nameEnd];
        pos = SkipSpace(nameEnd, false);
        if (!At(pos, "::="))
        {
            throw Error(pos, $"expecting '::=' after rule name '{name}'");
        }

        pos = SkipSpace(pos + 3, true);
        var id = Symbol(name, pos);
        if (_rules[id] is not null)
        {
            throw Error(pos, $"rule '{name}' is defined twice");
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
                throw Error(pos, $"unexpected '{_text[pos]}'; expecting a newline or the end");
            }

            pos++;
        }

        return SkipSpace(pos, true);
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
            var next = nested ? pos : SkipSpace(pos, true);
            if (next >= _text.Length || _text[next] != '|')
            {
                break;
            }

            pos = SkipSpace(next + 1, true);
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
                pos++;
                while (pos < _text.Length && _text[pos] != '"')
                {
                    pos = ParseChar(pos, out var codePoint);
                    elements.Add((GrammarElementKind.Chars, AddCharSet(GrammarCharSet.Single(codePoint))));
                }

                if (pos >= _text.Length)
                {
                    throw Error(pos, "unterminated literal");
                }

                pos = SkipSpace(pos + 1, nested);
            }
            else if (c == '[')
            {
                lastStart = elements.Count;
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

                elements.Add((GrammarElementKind.Chars, AddCharSet(new GrammarCharSet(ranges, negated))));
                pos = SkipSpace(pos + 1, nested);
            }
            else if (c == '.')
            {
                lastStart = elements.Count;
                elements.Add((GrammarElementKind.Chars, AddCharSet(GrammarCharSet.Any())));
                pos = SkipSpace(pos + 1, nested);
            }
            else if (IsWordChar(c))
            {
                var end = ParseName(pos);
                if (At(SkipSpace(end, false), "::="))
                {
                    // The next rule's header (only reachable inside an unclosed group).
                    throw Error(pos, "expecting ')' before the next rule");
                }

                lastStart = elements.Count;
                elements.Add((GrammarElementKind.Rule, Symbol(_text[pos..end], pos)));
                pos = SkipSpace(end, nested);
            }
            else if (c == '(')
            {
                lastStart = elements.Count;
                pos = SkipSpace(pos + 1, true);
                var sub = NewSymbol(ruleName, pos);
                pos = ParseAlternates(pos, ruleName, sub, true);
                if (pos >= _text.Length || _text[pos] != ')')
                {
                    throw Error(pos, "expecting ')'");
                }

                elements.Add((GrammarElementKind.Rule, sub));
                pos = SkipSpace(pos + 1, nested);
            }
            else if (c is '*' or '+' or '?')
            {
                if (lastStart < 0)
                {
                    throw Error(pos, $"'{c}' has no item before it");
                }

                lastStart = Repeat(elements, lastStart, ruleName, c == '+' ? 1 : 0, c == '?' ? 1 : -1, pos);
                pos = SkipSpace(pos + 1, nested);
            }
            else if (c == '{')
            {
                if (lastStart < 0)
                {
                    throw Error(pos, "'{' has no item before it");
                }

                var open = pos;
                pos = SkipSpace(pos + 1, nested);
                pos = ParseInt(pos, out var min);
                pos = SkipSpace(pos, nested);
                var max = min;
                if (pos < _text.Length && _text[pos] == ',')
                {
                    pos = SkipSpace(pos + 1, nested);
                    if (pos < _text.Length && char.IsAsciiDigit(_text[pos]))
                    {
                        pos = ParseInt(pos, out max);
                        pos = SkipSpace(pos, nested);
                    }
                    else
                    {
                        max = -1;
                    }
                }

                if (pos >= _text.Length || _text[pos] != '}')
                {
                    throw Error(pos, "expecting '}'");
                }

                if ((max >= 0 && max < min) || min > MaxRepetition || max > MaxRepetition)
                {
                    throw Error(open, $"repetition counts must satisfy m <= n <= {MaxRepetition}");
                }

                lastStart = Repeat(elements, lastStart, ruleName, min, max, open);
                pos = SkipSpace(pos + 1, nested);
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

    private int ParseChar(int pos, out int codePoint)
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

    private int ParseInt(int pos, out int value)
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

    private int ParseName(int pos)
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

    private int SkipSpace(int pos, bool newlines)
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

    private bool At(int pos, string token) => string.CompareOrdinal(_text, pos, token, 0, token.Length) == 0 && pos + token.Length <= _text.Length;

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

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

    private MaasException Error(int pos, string what)
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
