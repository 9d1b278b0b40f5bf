using Maas.Core.Errors;

namespace Maas.Core.Grammars;

/// <summary>A compiled GBNF grammar (llama.cpp's grammar syntax), ready to constrain generation.</summary>
/// <remarks>
/// Immutable and shareable between requests. <see cref="Parse"/> accepts llama.cpp's syntax: <c>name ::= ...</c> rules,
/// <c>"literals"</c>, character classes (<c>[a-z]</c>, <c>[^"\\]</c>), <c>.</c>, grouping, alternation, <c>* + ?</c> and
/// <c>{m}</c>, <c>{m,}</c>, <c>{m,n}</c>, <c>#</c> comments; generation starts at the rule <c>root</c>. Left-recursive
/// rules are rejected (the matcher is top-down). Matching is over Unicode code points; the engine feeds UTF-8 bytes.
/// </remarks>
public sealed class GbnfGrammar
{
    internal GbnfGrammar(
        string text,
        IReadOnlyList<string> ruleNames,
        GrammarElementKind[] kinds,
        int[] arguments,
        int[][] alternatives,
        GrammarCharSet[] charSets,
        int root)
    {
        Text = text;
        RuleNames = ruleNames;
        Kinds = kinds;
        Arguments = arguments;
        Alternatives = alternatives;
        CharSets = charSets;
        Root = root;
    }

    /// <summary>The GBNF source this grammar was compiled from.</summary>
    public string Text { get; }

    /// <summary>Rule names, including the ones generated for groups and repetitions.</summary>
    public IReadOnlyList<string> RuleNames { get; }

    internal GrammarElementKind[] Kinds { get; }

    internal int[] Arguments { get; }

    /// <summary>Per rule, the element index where each alternative starts.</summary>
    internal int[][] Alternatives { get; }

    internal GrammarCharSet[] CharSets { get; }

    internal int Root { get; }

    /// <summary>Parses and compiles GBNF text; a syntax error, an undefined rule, a missing <c>root</c> or left
    /// recursion throws <see cref="MaasException"/> (invalid argument) naming the place.</summary>
    public static GbnfGrammar Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new GbnfParser(text).Parse();
    }

    /// <summary>Whether the whole of <paramref name="text"/> is a sentence of the grammar (for tests and checks).</summary>
    public bool Matches(string text)
    {
        var automaton = new GrammarAutomaton(this);
        var state = automaton.Initial;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            state = automaton.Next(state, b);
            if (state < 0)
            {
                return false;
            }
        }

        return automaton.CanEnd(state);
    }
}
