using Maas.Cli.Commands;

namespace Maas.UnitTests.Cli;

public sealed class TimeArgumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("30d", true, "2027-01-02T12:00:00+00:00")]
    [InlineData("12h", true, "2026-12-04T00:00:00+00:00")]
    [InlineData("1h", false, "2026-12-03T11:00:00+00:00")]
    [InlineData("2w", false, "2026-11-19T12:00:00+00:00")]
    [InlineData("2027-03-01T00:00:00Z", true, "2027-03-01T00:00:00+00:00")]
    public void TryParse_SpanOrIsoTime_Resolved(string text, bool forward, string expected)
    {
        Assert.True(TimeArgument.TryParse(text, Now, forward, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0d")]
    [InlineData("30x")]
    public void TryParse_Nonsense_False(string text) =>
        Assert.False(TimeArgument.TryParse(text, Now, forward: true, out _));
}
