using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Serving.Pipelines;

namespace Maas.UnitTests.Serving.Batching;

/// <summary>The admission queue through <see cref="TensorPipeline"/> over a fake engine: flushes, merging and
/// splitting, ordering, cancellation, deadlines, the bound and live settings. Time is a fake clock; tests wait on the
/// engine's calls, never on the wall clock.</summary>
public sealed class BatchQueueTests : IDisposable
{
    private readonly BatchingHarness _harness = new();

    private static DeploymentSettings Settings(int maxBatchSize = 8, int maxQueue = 64, int instances = 1, TimeSpan? delay = null, TimeSpan? timeout = null) => new()
    {
        Instances = instances,
        MaxBatchSize = maxBatchSize,
        MaxQueue = maxQueue,
        MaxQueueDelay = delay ?? TimeSpan.Zero,
        RequestTimeout = timeout ?? TimeSpan.FromMinutes(5),
    };

    [Fact]
    public async Task InferAsync_RequestsQueuedWhileEngineBusy_MergedUpToMaxBatchSizeAndSplitInOrder()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 4)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();

        var queued = Enumerable.Range(1, 6).Select(i => pipeline.InferAsync(BatchingHarness.Rows(i * 10)).AsTask()).ToList();
        Assert.Equal(6, pipeline.Load.Queued);
        busy.Release();
        var second = await model.NextCallAsync();
        second.Release();
        var third = await model.NextCallAsync();
        third.Release();

        Assert.Equal([1L, 4L, 2L], new[] { busy.Rows, second.Rows, third.Rows });
        using (var result = await first)
        {
            Assert.Equal([0f, 2f], BatchingHarness.Values(result));
        }

        for (var i = 0; i < queued.Count; i++)
        {
            using var result = await queued[i];
            var x = (i + 1) * 10f;
            Assert.Equal([x * 2, (x + 1) * 2], BatchingHarness.Values(result));
            Assert.Equal([1L, 2L], result.Outputs[0].Shape);
        }

        Assert.Equal(3, model.Calls);
        Assert.Equal(new PipelineLoad(0, 0), pipeline.Load);
    }

    [Fact]
    public async Task InferAsync_RequestsWithSeveralRows_CountWithTheirRows()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 4)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();

        var three = pipeline.InferAsync(BatchingHarness.Rows(100, rows: 3)).AsTask();
        var two = pipeline.InferAsync(BatchingHarness.Rows(200, rows: 2)).AsTask();
        var one = pipeline.InferAsync(BatchingHarness.Rows(300, rows: 1)).AsTask();
        busy.Release();
        var second = await model.NextCallAsync();
        second.Release();
        var third = await model.NextCallAsync();
        third.Release();

        // 3 + 1 fill the batch of 4; the 2-row request, which did not fit after the 3, runs next.
        Assert.Equal(4, second.Rows);
        Assert.Equal(2, third.Rows);
        (await first).Dispose();
        using var r3 = await three;
        using var r2 = await two;
        using var r1 = await one;
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (100f + i) * 2), BatchingHarness.Values(r3));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => (200f + i) * 2), BatchingHarness.Values(r2));
        Assert.Equal([600f, 602f], BatchingHarness.Values(r1));
    }

    [Fact]
    public async Task InferAsync_RequestLargerThanBatchSize_RunsAlone()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 2)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();

        var large = pipeline.InferAsync(BatchingHarness.Rows(10, rows: 5)).AsTask();
        var small = pipeline.InferAsync(BatchingHarness.Rows(50)).AsTask();
        busy.Release();
        var second = await model.NextCallAsync();
        second.Release();
        var third = await model.NextCallAsync();
        third.Release();

        Assert.Equal(5, second.Rows);
        Assert.Equal(1, third.Rows);
        (await first).Dispose();
        using var result = await large;
        Assert.Equal([5L, 2L], result.Outputs[0].Shape);
        (await small).Dispose();
    }

    [Fact]
    public async Task InferAsync_IncompatibleShapes_NeverMergedButHeadTakesCompatibleFollowers()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 8)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();

        var a = pipeline.InferAsync(BatchingHarness.Rows(10, columns: 2)).AsTask();
        var b = pipeline.InferAsync(BatchingHarness.Rows(20, columns: 3)).AsTask();
        var c = pipeline.InferAsync(BatchingHarness.Rows(30, columns: 2)).AsTask();
        busy.Release();
        var second = await model.NextCallAsync();
        second.Release();
        var third = await model.NextCallAsync();
        third.Release();

        Assert.Equal([2L, 2L], second.Shape);
        Assert.Equal([1L, 3L], third.Shape);
        (await first).Dispose();
        using var ra = await a;
        using var rb = await b;
        using var rc = await c;
        Assert.Equal([20f, 22f], BatchingHarness.Values(ra));
        Assert.Equal([40f, 42f, 44f], BatchingHarness.Values(rb));
        Assert.Equal([60f, 62f], BatchingHarness.Values(rc));
    }

    [Fact]
    public async Task InferAsync_FixedFirstDimension_OneRequestPerCall()
    {
        var model = new FakeTensorModel([1, 2]) { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 8)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();

        var queued = Enumerable.Range(1, 3).Select(i => pipeline.InferAsync(BatchingHarness.Rows(i)).AsTask()).ToList();
        busy.Release();
        for (var i = 0; i < 3; i++)
        {
            var call = await model.NextCallAsync();
            Assert.Equal(1, call.Rows);
            call.Release();
        }

        (await first).Dispose();
        foreach (var task in queued)
        {
            (await task).Dispose();
        }

        Assert.Equal(4, model.Calls);
    }

    [Fact]
    public async Task InferAsync_OneMergedRequestRejected_OthersStillSucceed()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 8)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();

        var bad = pipeline.InferAsync(BatchingHarness.Rows(-10)).AsTask();
        var good = pipeline.InferAsync(BatchingHarness.Rows(10)).AsTask();
        model.Hold = false;
        busy.Release();

        var ex = await Assert.ThrowsAsync<MaasException>(() => bad);
        Assert.Equal(MaasErrorKind.InvalidArgument, ex.Kind);
        using var result = await good;
        Assert.Equal([20f, 22f], BatchingHarness.Values(result));
        (await first).Dispose();
    }

    [Fact]
    public async Task InferAsync_BatchFull_FlushesWithoutWaitingForTheDelay()
    {
        var model = new FakeTensorModel();
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 3, delay: TimeSpan.FromHours(1))));

        var tasks = Enumerable.Range(0, 3).Select(i => pipeline.InferAsync(BatchingHarness.Rows(i)).AsTask()).ToList();
        var call = await model.NextCallAsync();

        Assert.Equal(3, call.Rows);
        foreach (var task in tasks)
        {
            (await task).Dispose();
        }
    }

    [Fact]
    public async Task InferAsync_PartialBatch_FlushedWhenTheOldestRequestHasWaitedTheDelay()
    {
        var model = new FakeTensorModel();
        var delay = TimeSpan.FromMilliseconds(20);
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 8, delay: delay)));

        var a = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        _harness.Time.Advance(delay / 2);
        var b = pipeline.InferAsync(BatchingHarness.Rows(10)).AsTask();
        Assert.Equal(0, model.Calls);
        Assert.False(a.IsCompleted);

        _harness.Time.Advance(delay / 2);
        var call = await model.NextCallAsync();

        Assert.Equal(2, call.Rows);
        (await a).Dispose();
        (await b).Dispose();
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task InferAsync_QueuedCallerCancels_LeavesQueueAndNeverReachesEngine()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings()));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = pipeline.InferAsync(BatchingHarness.Rows(10), cts.Token).AsTask();
        Assert.Equal(1, pipeline.Load.Queued);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(new PipelineLoad(0, 1), pipeline.Load);
        busy.Release();
        (await first).Dispose();
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task InferAsync_DeadlinePassesWhileQueued_FailsWith504AndNeverReachesEngine()
    {
        var model = new FakeTensorModel { Hold = true };
        var timeout = TimeSpan.FromSeconds(2);
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(timeout: timeout)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();
        var late = pipeline.InferAsync(BatchingHarness.Rows(10)).AsTask();

        _harness.Time.Advance(timeout);

        var ex = await Assert.ThrowsAsync<MaasException>(() => late);
        Assert.Equal(MaasErrorKind.DeadlineExceeded, ex.Kind);
        Assert.Equal(0, pipeline.Load.Queued);
        busy.Release();
        (await first).Dispose();
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task InferAsync_CannotEndBeforeItsDeadline_FailsWith504InsteadOfRunningLate()
    {
        var model = new FakeTensorModel { Hold = true };
        var timeout = TimeSpan.FromSeconds(2);
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(timeout: timeout)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var call = await model.NextCallAsync();
        _harness.Time.Advance(TimeSpan.FromMilliseconds(500));
        call.Release();
        (await first).Dispose();

        // Engine calls take about 0.5 s; a request that has waited 1.6 s of its 2 s could not end in time.
        var blocker = pipeline.InferAsync(BatchingHarness.Rows(1)).AsTask();
        var busy = await model.NextCallAsync();
        var late = pipeline.InferAsync(BatchingHarness.Rows(10)).AsTask();
        _harness.Time.Advance(TimeSpan.FromMilliseconds(1600));
        busy.Release();

        var ex = await Assert.ThrowsAsync<MaasException>(() => late);
        Assert.Equal(MaasErrorKind.DeadlineExceeded, ex.Kind);
        (await blocker).Dispose();
        Assert.Equal(2, model.Calls);
        Assert.Equal(new PipelineLoad(0, 0), pipeline.Load);
    }

    [Fact]
    public async Task InferAsync_QueueFull_RejectsAtOnceWith429()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxQueue: 2)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();
        var queued = new[] { pipeline.InferAsync(BatchingHarness.Rows(1)).AsTask(), pipeline.InferAsync(BatchingHarness.Rows(2)).AsTask() };

        var rejected = pipeline.InferAsync(BatchingHarness.Rows(3)).AsTask();

        Assert.True(rejected.IsCompleted);
        var ex = await Assert.ThrowsAsync<MaasException>(() => rejected);
        Assert.Equal(MaasErrorKind.TooManyRequests, ex.Kind);
        Assert.Equal(new PipelineLoad(2, 1), pipeline.Load);
        model.Hold = false;
        busy.Release();
        (await first).Dispose();
        foreach (var task in queued)
        {
            (await task).Dispose();
        }
    }

    [Fact]
    public async Task InferAsync_CallersOfRunningBatchCancel_EngineCallCancelledOnlyWhenAllAreGone()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings()));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();
        using var cts1 = new CancellationTokenSource();
        using var cts2 = new CancellationTokenSource();
        var one = pipeline.InferAsync(BatchingHarness.Rows(10), cts1.Token).AsTask();
        var two = pipeline.InferAsync(BatchingHarness.Rows(20), cts2.Token).AsTask();
        busy.Release();
        (await first).Dispose();
        var running = await model.NextCallAsync();
        Assert.Equal(2, running.Rows);

        await cts1.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => one);
        Assert.False(running.Token.IsCancellationRequested);

        await cts2.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => two);
        Assert.True(running.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task TryApply_NewBatchSize_TakesEffectForQueuedRequests()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxBatchSize: 1)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();
        var queued = Enumerable.Range(1, 3).Select(i => pipeline.InferAsync(BatchingHarness.Rows(i)).AsTask()).ToList();

        Assert.True(pipeline.TryApply(Settings(maxBatchSize: 3)));
        busy.Release();
        var merged = await model.NextCallAsync();
        merged.Release();

        Assert.Equal(3, merged.Rows);
        (await first).Dispose();
        foreach (var task in queued)
        {
            (await task).Dispose();
        }
    }

    [Fact]
    public async Task TryApply_MoreInstances_SecondEngineCallRunsAlongside()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(instances: 1)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();
        var second = pipeline.InferAsync(BatchingHarness.Rows(1)).AsTask();

        Assert.True(pipeline.TryApply(Settings(instances: 2)));
        var alongside = await model.NextCallAsync();

        Assert.Equal(new PipelineLoad(0, 2), pipeline.Load);
        alongside.Release();
        busy.Release();
        (await first).Dispose();
        (await second).Dispose();
    }

    [Fact]
    public async Task TryApply_SmallerQueueAndTimeout_AppliedToNewRequests()
    {
        var model = new FakeTensorModel { Hold = true };
        await using var pipeline = new TensorPipeline(model, _harness.Context(Settings(maxQueue: 8)));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();

        Assert.True(pipeline.TryApply(Settings(maxQueue: 1, timeout: TimeSpan.FromSeconds(1))));
        var queued = pipeline.InferAsync(BatchingHarness.Rows(1)).AsTask();
        var rejected = await Assert.ThrowsAsync<MaasException>(() => pipeline.InferAsync(BatchingHarness.Rows(2)).AsTask());
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        var expired = await Assert.ThrowsAsync<MaasException>(() => queued);

        Assert.Equal(MaasErrorKind.TooManyRequests, rejected.Kind);
        Assert.Equal(MaasErrorKind.DeadlineExceeded, expired.Kind);
        busy.Release();
        (await first).Dispose();
    }

    [Fact]
    public async Task TryApply_DifferentThreads_NeedsReload()
    {
        await using var pipeline = new TensorPipeline(new FakeTensorModel(), _harness.Context(Settings()));

        Assert.False(pipeline.TryApply(Settings() with { IntraOpThreads = 2 }));
    }

    [Fact]
    public async Task DisposeAsync_RequestsStillQueued_FailWith503AndModelIsDisposed()
    {
        var model = new FakeTensorModel { Hold = true };
        var pipeline = new TensorPipeline(model, _harness.Context(Settings()));
        var first = pipeline.InferAsync(BatchingHarness.Rows(0)).AsTask();
        var busy = await model.NextCallAsync();
        var queued = pipeline.InferAsync(BatchingHarness.Rows(1)).AsTask();

        var disposing = pipeline.DisposeAsync().AsTask();
        var ex = await Assert.ThrowsAsync<MaasException>(() => queued);
        busy.Release();
        await disposing;

        Assert.Equal(MaasErrorKind.Unavailable, ex.Kind);
        (await first).Dispose();
        Assert.True(model.Disposed);
    }

    public void Dispose() => _harness.Dispose();
}
