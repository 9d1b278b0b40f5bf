using Maas.Core.Errors;
using Maas.Core.Grammars;

namespace Maas.UnitTests.Core.Grammars;

public sealed class GbnfGrammarTests
{
    [Theory]
    [InlineData("root ::= \"abc\"", "abc", true)]
    [InlineData("root ::= \"abc\"", "ab", false)]
    [InlineData("root ::= \"abc\"", "abcd", false)]
    [InlineData("root ::= \"a\" | \"b\"", "b", true)]
    [InlineData("root ::= [a-c]", "c", true)]
    [InlineData("root ::= [a-c]", "d", false)]
    [InlineData("root ::= [^a-c]", "d", true)]
    [InlineData("root ::= [^a-c]", "b", false)]
    [InlineData("root ::= [^\"\\\\]", "é", true)]
    [InlineData("root ::= [^\"\\\\]", "\\", false)]
    [InlineData("root ::= [a-zA-Z_-]+", "a_b-C", true)]
    [InlineData("root ::= .", "ж", true)]
    [InlineData("root ::= . .", "ж", false)]
    [InlineData("root ::= \"x\"*", "", true)]
    [InlineData("root ::= \"x\"*", "xxxx", true)]
    [InlineData("root ::= \"x\"+", "", false)]
    [InlineData("root ::= \"ab\"+", "ababab", true)]
    [InlineData("root ::= \"ab\"+", "aba", false)]
    [InlineData("root ::= \"x\"? \"y\"", "y", true)]
    [InlineData("root ::= \"x\"? \"y\"", "xy", true)]
    [InlineData("root ::= \"x\"? \"y\"", "xxy", false)]
    [InlineData("root ::= \"x\"{2,3}", "x", false)]
    [InlineData("root ::= \"x\"{2,3}", "xx", true)]
    [InlineData("root ::= \"x\"{2,3}", "xxx", true)]
    [InlineData("root ::= \"x\"{2,3}", "xxxx", false)]
    [InlineData("root ::= \"x\"{2}", "xx", true)]
    [InlineData("root ::= \"x\"{2,}", "xxxxxx", true)]
    [InlineData("root ::= \"x\"{2,}", "x", false)]
    [InlineData("root ::= (\"a\" | \"b\" \"c\")* \"d\"", "abcad", true)]
    [InlineData("root ::= (\"a\" | \"b\" \"c\")* \"d\"", "abd", false)]
    [InlineData("root ::= item (\",\" item)*\nitem ::= [0-9]+ # a number\n", "1,22,333", true)]
    [InlineData("root ::= \"[\" list? \"]\"\nlist ::= root (\",\" root)*", "[[],[[]]]", true)]
    [InlineData("root ::= \"[\" list? \"]\"\nlist ::= root (\",\" root)*", "[[],[[]]", false)]
    [InlineData("root ::= \"\\n\\t\\x41\\u00e9\\\"\"", "\n\tAé\"", true)]
    [InlineData("root ::= \"😀\"", "😀", true)]
    [InlineData("root ::= [😀-😂]", "😁", true)]
    [InlineData("root ::= [😀-😂]", "😃", false)]
    [InlineData("root ::=\n    \"a\"\n  | \"b\"\n", "b", true)]
    [InlineData("root ::= (\n  \"a\"\n  \"b\"\n)", "ab", true)]
    public void Matches_Feature_AcceptsExactlyTheLanguage(string gbnf, string text, bool expected)
    {
        var grammar = GbnfGrammar.Parse(gbnf);

        Assert.Equal(expected, grammar.Matches(text));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("root ::= \"abc", "unterminated literal")]
    [InlineData("root ::= [abc", "unterminated character class")]
    [InlineData("root ::= other", "'other' is used but not defined")]
    [InlineData("start ::= \"a\"", "root")]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", "defined twice")]
    [InlineData("root ::= * \"a\"", "no item before it")]
    [InlineData("root ::= \"a\"{3,2}", "repetition")]
    [InlineData("root ::= \"a\"{2000}", "repetition")]
    [InlineData("root ::= (\"a\"", "expecting ')'")]
    [InlineData("root ::= \"\\q\"", "unknown escape")]
    [InlineData("root ::= [z-a]", "reversed")]
    [InlineData("root \"a\"", "::=")]
    [InlineData("root ::= root \"a\" | \"b\"", "left-recursive")]
    [InlineData("root ::= x\nx ::= \"\"? root \"a\"", "left-recursive")]
    public void Parse_BadGrammar_ThrowsInvalidArgumentNamingTheProblem(string gbnf, string expected)
    {
        var error = Assert.Throws<MaasException>(() => GbnfGrammar.Parse(gbnf));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LlamaCppJsonGrammar_MatchesJson()
    {
        // llama.cpp's grammars/json.gbnf.
        const string Json = """
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") ws

            object ::=
              "{" ws (
                        string ":" ws value
                ("," ws string ":" ws value)*
              )? "}" ws

            array  ::=
              "[" ws (
                        value
                ("," ws value)*
              )? "]" ws

            string ::=
              "\"" (
                [^"\\\x7F\x00-\x1F] |
                "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
              )* "\"" ws

            number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

            # Optional space: by convention, applied in this grammar after literal chars when allowed
            ws ::= | " " | "\n" [ \t]{0,20}
            """;
        var grammar = GbnfGrammar.Parse(Json);

        Assert.True(grammar.Matches("""{"a": [1, 2.5, {"b": "c\u00e9\n"}], "d": null} """.Replace("\\u00e9", "\\u00E9", StringComparison.Ordinal)));
        Assert.False(grammar.Matches("""{"a": [1, 2.5, }"""));
        Assert.False(grammar.Matches("""["not an object"]"""));
    }
}
