using Maas.Cli.Client;
using Maas.Cli.Output;

namespace Maas.UnitTests.Cli;

public sealed class ProgressStreamTests
{
    [Fact]
    public async Task Read_WholeStream_ReportsEveryByteOnce()
    {
        long reported = 0;
        var progress = new CallbackProgress<long>(n => reported += n);
        await using var stream = new ProgressStream(new MemoryStream(new byte[100_000]), progress);

        await stream.CopyToAsync(Stream.Null, 4096);

        Assert.Equal(100_000, reported);
    }

    [Fact]
    public void Length_SeekableInner_IsPassedThrough()
    {
        using var stream = new ProgressStream(new MemoryStream(new byte[42]), new CallbackProgress<long>(_ => { }));

        Assert.True(stream.CanSeek);
        Assert.Equal(42, stream.Length);
        Assert.False(stream.CanWrite);
    }
}
