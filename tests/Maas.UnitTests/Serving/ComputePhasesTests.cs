using Maas.Serving.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Serving;

public sealed class ComputePhasesTests
{
    [Fact]
    public async Task End_MarksFromAnAwaitedCall_SplitsTheCall()
    {
        var clock = new FakeTimeProvider();
        var phases = ComputePhases.Begin(clock);

        await ExecutorAsync(clock);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var (elapsed, input, output) = phases.End();

        Assert.Equal(TimeSpan.FromMilliseconds(8), elapsed);
        Assert.Equal(TimeSpan.FromMilliseconds(2), input);
        Assert.Equal(TimeSpan.FromMilliseconds(1), output);
    }

    [Fact]
    public void End_NothingMarked_CountsAllAsInference()
    {
        var clock = new FakeTimeProvider();
        var phases = ComputePhases.Begin(clock);
        clock.Advance(TimeSpan.FromMilliseconds(3));

        var (elapsed, input, output) = phases.End();

        Assert.Equal((TimeSpan.FromMilliseconds(3), TimeSpan.Zero, TimeSpan.Zero), (elapsed, input, output));
    }

    [Fact]
    public void InputDone_OutsideACall_DoesNothing()
    {
        ComputePhases.InputDone();
        ComputePhases.InferDone();
    }

    private static async Task ExecutorAsync(FakeTimeProvider clock)
    {
        await Task.Yield();
        clock.Advance(TimeSpan.FromMilliseconds(2));
        ComputePhases.InputDone();
        clock.Advance(TimeSpan.FromMilliseconds(5));
        ComputePhases.InferDone();
    }
}
