using Maas.Registry.Changes;

namespace Maas.UnitTests.Registry.Changes;

public sealed class ChangeCursorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Accept_IdCommittedAfterALaterOne_SeenOnTheNextRead()
    {
        var cursor = new ChangeCursor(10, TimeSpan.FromSeconds(30));

        // 11 is still in flight when 12 commits.
        Assert.Equal([12L], cursor.Accept([Row(12)], Start).Select(r => r.Id));
        Assert.Equal((12L, 10L), (cursor.Position, cursor.ReadFrom));

        // The next read starts below the hole and sees 11 (and 12 again, not repeated).
        Assert.Equal([11L, 13L], cursor.Accept([Row(11), Row(12), Row(13)], Start.AddSeconds(1)).Select(r => r.Id));
        Assert.Equal((13L, 13L, 0), (cursor.Position, cursor.ReadFrom, cursor.OpenGaps));
    }

    [Fact]
    public void Accept_HoleNeverFilled_ForgottenAfterTheTimeout()
    {
        var cursor = new ChangeCursor(0, TimeSpan.FromSeconds(30));
        cursor.Accept([Row(1), Row(3)], Start);
        Assert.Equal(1L, cursor.ReadFrom);

        Assert.Empty(cursor.Accept([Row(3)], Start.AddSeconds(29)));
        Assert.Equal(1L, cursor.ReadFrom);
        Assert.Empty(cursor.Accept([Row(3)], Start.AddSeconds(30)));
        Assert.Equal((3L, 0), (cursor.ReadFrom, cursor.OpenGaps));
    }

    private static RegistryChange Row(long id) => new(id, RegistryChangeKinds.AliasSet, "bert", 1, "production", "other");
}
