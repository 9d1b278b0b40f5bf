using System.Text;
using System.Text.Json;
using Maas.Core.Grammars;

namespace Maas.UnitTests.Core.Grammars;

public sealed class GrammarMatcherTests
{
    private const int Eos = 1;

    // Token 0 is a control token (no text), 1 is EOS; the rest mix whole words, single bytes and split UTF-8 characters.
    private static readonly byte[][] Vocabulary =
    [
        [], [],
        .. Enumerable.Range(0x20, 0x5F).Select(c => new[] { (byte)c }),
        .. new[] { "\n", "ab", "abc", "\"a", "\":", "\": ", "{\"", "12",
            "true", "tr", "ue", "false", "null", "é", "cat", "dog", "\"cat\"", "\"dog\"", "name", "kind", "pets", "}]", "},",
            "\\n", "  ", "😀" }.Select(Encoding.UTF8.GetBytes),
        [0xC3], [0xA9], [0xF0, 0x9F], [0x98, 0x80], [0xFF],
    ];

    private const string Schema = """
        {"type":"object","properties":{"name":{"type":"string","maxLength":4},"kind":{"enum":["cat","dog"]},
         "pets":{"type":"array","items":{"type":"object","properties":{"w":{"type":["number","null"]}},"required":["w"]},"maxItems":2},
         "ok":{"type":"boolean"}},"required":["name","kind"],"additionalProperties":false}
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Mask_RandomWalks_EqualsBruteForce(int seed)
    {
        using var document = JsonDocument.Parse(Schema);
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.ToGbnf(document.RootElement));
        var vocabulary = new GrammarVocabulary(Vocabulary.Length, t => Vocabulary[t], [Eos]);
        var random = new Random(seed);
        for (var walk = 0; walk < 4; walk++)
        {
            var matcher = vocabulary.CreateMatcher(grammar);
            var text = new List<byte>();
            for (var step = 0; step < 60 && !matcher.IsComplete; step++)
            {
                var allowed = new List<int>();
                for (var token = 0; token < Vocabulary.Length; token++)
                {
                    var expected = token == Eos ? Matches(grammar, text) : Vocabulary[token].Length > 0 && IsPrefix(grammar, [.. text, .. Vocabulary[token]]);
                    Assert.True(expected == matcher.IsAllowed(token), $"token {token} after '{Encoding.UTF8.GetString([.. text])}': expected {expected}");
                    if (expected)
                    {
                        allowed.Add(token);
                    }
                }

                Assert.NotEmpty(allowed);
                var next = allowed[random.Next(allowed.Count)];
                matcher.Accept(next);
                if (next == Eos)
                {
                    break;
                }

                text.AddRange(Vocabulary[next]);
            }
        }
    }

    [Fact]
    public void ApplyMask_SetsDisallowedToNegativeInfinity()
    {
        var grammar = GbnfGrammar.Parse("root ::= \"ab\" | \"a\" [0-9]");
        var vocabulary = new GrammarVocabulary(Vocabulary.Length, t => Vocabulary[t], [Eos]);
        var matcher = vocabulary.CreateMatcher(grammar);
        var logits = Enumerable.Repeat(1f, Vocabulary.Length).ToArray();

        var allowed = matcher.ApplyMask(logits);

        var kept = Enumerable.Range(0, logits.Length).Where(i => !float.IsNegativeInfinity(logits[i])).Select(i => Encoding.UTF8.GetString(Vocabulary[i])).ToList();
        Assert.Equal(["a", "ab"], kept.Order());
        Assert.Equal(2, allowed);
        Assert.False(matcher.CanEnd);
    }

    [Fact]
    public void Accept_LastTokenOfGrammar_IsComplete()
    {
        var grammar = GbnfGrammar.Parse("root ::= \"a\" \"b\"?");
        var vocabulary = new GrammarVocabulary(Vocabulary.Length, t => Vocabulary[t], [Eos]);
        var first = vocabulary.CreateMatcher(grammar);
        var second = vocabulary.CreateMatcher(grammar);

        first.Accept(Index("ab"));
        second.Accept(Index("a"));

        Assert.True(first.IsComplete);
        Assert.False(second.IsComplete);
        Assert.True(second.CanEnd);
        Assert.True(second.IsAllowed(Eos));
        Assert.Throws<InvalidOperationException>(() => second.Accept(Index("a")));
    }

    [Fact]
    public void Mask_SplitUtf8Character_AllowsLeadByteOnlyWhereTheCharacterFits()
    {
        var vocabulary = new GrammarVocabulary(Vocabulary.Length, t => Vocabulary[t], [Eos]);
        var accented = vocabulary.CreateMatcher(GbnfGrammar.Parse("root ::= [à-ÿ]"));
        var ascii = vocabulary.CreateMatcher(GbnfGrammar.Parse("root ::= [a-z]"));
        var lead = Vocabulary.Length - 5;

        Assert.True(accented.IsAllowed(lead));
        Assert.True(accented.IsAllowed(Index("é")));
        Assert.False(ascii.IsAllowed(lead));
        accented.Accept(lead);
        Assert.True(accented.IsAllowed(lead + 1));
        Assert.False(accented.IsAllowed(Eos));
        accented.Accept(lead + 1);
        Assert.True(accented.IsComplete);
    }

    [Fact]
    public void Mask_OverlongUtf8_IsNotTheCharacter()
    {
        byte[][] texts = [[], [0x7B], [0xF0, 0x80, 0x81, 0xBB], [0xC1, 0xBB], [0xE0, 0x81, 0xBB], [0xF0], [0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82, 0xAC], [0xED, 0xA0]];
        var vocabulary = new GrammarVocabulary(texts.Length, t => texts[t], [0]);
        var brace = vocabulary.CreateMatcher(GbnfGrammar.Parse("root ::= \"{\""));
        var any = vocabulary.CreateMatcher(GbnfGrammar.Parse("root ::= [^a]"));

        Assert.Equal([1], Enumerable.Range(0, texts.Length).Where(brace.IsAllowed));
        Assert.Equal([1, 5, 8], Enumerable.Range(0, texts.Length).Where(any.IsAllowed));
    }

    private static int Index(string text) => Array.FindIndex(Vocabulary, b => b.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(text)));

    // Brute force, without the trie or the mask cache: feed the bytes to a fresh automaton one by one.
    private static bool IsPrefix(GbnfGrammar grammar, List<byte> bytes)
    {
        var automaton = new GrammarAutomaton(grammar);
        var state = automaton.Initial;
        foreach (var b in bytes)
        {
            state = automaton.Next(state, b);
            if (state == GrammarAutomaton.Dead)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Matches(GbnfGrammar grammar, List<byte> bytes) => bytes.Count > 0 && grammar.Matches(Encoding.UTF8.GetString([.. bytes]));
}
