using Maas.Server;

namespace Maas.UnitTests.Server;

// The pool's minimum is process-wide and other tests build servers (which raise it) in parallel, so these check
// bounds, never exact values.
public sealed class ServerThreadPoolTests
{
    [Fact]
    public void Apply_AboveCurrentMinimum_RaisesIt()
    {
        ThreadPool.GetMinThreads(out var before, out var io);

        var after = ServerThreadPool.Apply(before + 1);

        ThreadPool.GetMinThreads(out var workers, out var ioAfter);
        Assert.True(after >= before + 1, $"minimum {after} after asking for {before + 1}");
        Assert.True(workers >= before + 1);
        Assert.Equal(io, ioAfter);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1)]
    public void Apply_AtOrBelowCurrentMinimum_NeverLowersIt(int requested)
    {
        ThreadPool.GetMinThreads(out var before, out _);

        var after = ServerThreadPool.Apply(requested);

        Assert.True(after >= before, $"minimum {after} after asking for {requested}, was {before}");
    }

    [Fact]
    public void DefaultMinWorkers_IsFivePerCore()
    {
        Assert.Equal(5 * Environment.ProcessorCount, ServerThreadPool.DefaultMinWorkers);
    }
}
