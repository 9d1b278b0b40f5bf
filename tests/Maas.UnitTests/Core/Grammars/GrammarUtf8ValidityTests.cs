using Maas.Core.Grammars;

namespace Maas.UnitTests.Core.Grammars;

/// <summary>Byte-level vocabularies (llama's 256 byte tokens) must not spell ASCII with overlong UTF-8 through a grammar.</summary>
public sealed class GrammarUtf8ValidityTests
{
    [Theory]
    [InlineData("root ::= \"\\n\"", new byte[] { 0xE0, 0x80, 0x8A })]
    [InlineData("root ::= \"\\\"\"", new byte[] { 0xF0, 0x80, 0x80, 0xA2 })]
    [InlineData("root ::= [^x]", new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData("root ::= [^x]", new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    public void Accept_OverlongSurrogateOrTooLargeBytes_NotAllowed(string gbnf, byte[] bytes)
    {
        var vocabulary = new GrammarVocabulary(257, t => t < 256 ? [(byte)t] : [], [256]);
        var matcher = vocabulary.CreateMatcher(GbnfGrammar.Parse(gbnf));

        var allowed = true;
        foreach (var b in bytes)
        {
            allowed = matcher.IsAllowed(b);
            if (!allowed)
            {
                break;
            }

            matcher.Accept(b);
        }

        Assert.False(allowed);
    }

    [Theory]
    [InlineData("root ::= [^x]", new byte[] { 0xE2, 0x82, 0xAC })]
    [InlineData("root ::= [^x]", new byte[] { 0xF0, 0x9F, 0x98, 0x80 })]
    [InlineData("root ::= [^x]", new byte[] { 0xC3, 0xA9 })]
    public void Accept_ValidMultiByteCharacter_AllowedByteByByte(string gbnf, byte[] bytes)
    {
        var vocabulary = new GrammarVocabulary(257, t => t < 256 ? [(byte)t] : [], [256]);
        var matcher = vocabulary.CreateMatcher(GbnfGrammar.Parse(gbnf));

        foreach (var b in bytes)
        {
            Assert.True(matcher.IsAllowed(b));
            matcher.Accept(b);
        }

        Assert.True(matcher.CanEnd);
    }
}
