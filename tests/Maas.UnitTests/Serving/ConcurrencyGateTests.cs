using Maas.Core.Errors;
using Maas.Serving.Hosting;

namespace Maas.UnitTests.Serving;

public sealed class ConcurrencyGateTests
{
    [Fact]
    public async Task EnterAsync_QueueFull_RejectsAtOnceWithTooManyRequests()
    {
        using var gate = new ConcurrencyGate(maxConcurrency: 1, maxQueue: 1);
        using var running = await gate.EnterAsync(CancellationToken.None);
        var waiting = gate.EnterAsync(CancellationToken.None).AsTask();

        var ex = await Assert.ThrowsAsync<MaasException>(() => gate.EnterAsync(CancellationToken.None).AsTask());

        Assert.Equal(MaasErrorKind.TooManyRequests, ex.Kind);
        Assert.Equal(1, gate.Waiting);
        Assert.False(waiting.IsCompleted);
        running.Dispose();
        (await waiting).Dispose();
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task EnterAsync_WaiterCancelled_LeavesQueueAndSlotFree()
    {
        using var gate = new ConcurrencyGate(maxConcurrency: 1, maxQueue: 4);
        using var cts = new CancellationTokenSource();
        var first = await gate.EnterAsync(CancellationToken.None);
        var waiting = gate.EnterAsync(cts.Token).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, gate.Waiting);
        first.Dispose();
        using var again = await gate.EnterAsync(CancellationToken.None);
        Assert.Equal(1, gate.Running);
    }
}
