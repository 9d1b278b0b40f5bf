using System.Text;
using Maas.Serving.Generation;

namespace Maas.UnitTests.Serving.Generation;

public sealed class StopTextFilterTests
{
    [Fact]
    public void Push_StopStringAcrossPieces_EmitsTextBeforeItOnly()
    {
        var filter = new StopTextFilter(["###"]);

        var output = Push(filter, "ab#", "#", "#c", "d");

        Assert.Equal("ab", output);
        Assert.True(filter.Stopped);
    }

    [Fact]
    public void Push_PossibleStopPrefix_HeldBackUntilDecided()
    {
        var filter = new StopTextFilter(["END"]);

        Assert.Equal("ab", filter.Push("abEN"u8));
        Assert.Equal("ENx", filter.Push("x"u8));
        Assert.Equal("E", filter.Push("E"u8) + filter.Flush());
    }

    [Fact]
    public void Push_EarliestOfSeveralStops_Wins()
    {
        var filter = new StopTextFilter(["world", "lo"]);

        Assert.Equal("hel", Push(filter, "hello world"));
    }

    [Fact]
    public void Push_MultiByteCharacterSplit_NoReplacementCharacter()
    {
        var filter = new StopTextFilter([]);
        var bytes = Encoding.UTF8.GetBytes("€😀");
        var output = new StringBuilder();

        foreach (var b in bytes)
        {
            output.Append(filter.Push([b]));
        }

        Assert.Equal("€😀", output.Append(filter.Flush()).ToString());
    }

    [Fact]
    public void Flush_DanglingPartialCharacter_BecomesReplacementCharacter()
    {
        var filter = new StopTextFilter([]);

        Assert.Equal("a", filter.Push([(byte)'a', 0xE2, 0x82]));
        Assert.Equal("\uFFFD", filter.Flush());
    }

    private static string Push(StopTextFilter filter, params string[] pieces)
    {
        var output = new StringBuilder();
        foreach (var piece in pieces)
        {
            output.Append(filter.Push(Encoding.UTF8.GetBytes(piece)));
        }

        return output.Append(filter.Flush()).ToString();
    }
}
