using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

public sealed class BenchDurationTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("3", 3_000)]
    [InlineData("0s", 0)]
    public void TryParse_Text_GivesDuration(string text, double milliseconds)
    {
        Assert.True(BenchDuration.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("-1s")]
    [InlineData("10x")]
    public void TryParse_Nonsense_Fails(string text) => Assert.False(BenchDuration.TryParse(text, out _));

    [Theory]
    [InlineData("1,2,4,8", new[] { 1, 2, 4, 8 })]
    [InlineData(" 3 ", new[] { 3 })]
    public void TryParseIntegers_List_GivesValues(string text, int[] expected)
    {
        Assert.True(NumberList.TryParseIntegers(text, out var values));
        Assert.Equal(expected, values);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1,-2")]
    [InlineData("1.5")]
    public void TryParseIntegers_Bad_Fails(string text) => Assert.False(NumberList.TryParseIntegers(text, out _));
}
