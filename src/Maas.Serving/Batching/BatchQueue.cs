using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Serving.Metrics;
using Maas.Serving.Pipelines;

namespace Maas.Serving.Batching;

/// <summary>The admission path of one loaded version: a bounded queue served by a few workers, each of which merges
/// the queued requests it can into one engine call (dynamic batching).</summary>
/// <remarks>
/// <para>A worker that becomes free takes the oldest request and adds the queued requests the executor lets join it
/// until the batch holds <see cref="DeploymentSettings.MaxBatchSize"/> rows (a request counts with its rows; one larger
/// than the batch size runs alone). With <see cref="DeploymentSettings.MaxQueueDelay"/> above zero it first waits for
/// more rows until the oldest request has waited that long; with zero it takes only what is already queued, so a lone
/// request adds no latency and batches form by themselves while the workers are busy.</para>
/// <para>Bounded: a request that finds <see cref="DeploymentSettings.MaxQueue"/> requests waiting (beyond one per idle
/// worker) is refused at once with 429. Deadline-aware: a request still queued at arrival +
/// <see cref="DeploymentSettings.RequestTimeout"/> fails with 504 and never reaches the engine. Cancellation-aware: a
/// caller that cancels leaves the queue at once; a running engine call is cancelled only when all of its callers have
/// gone. The queue is a linked list under a lock rather than a channel because requests leave it from the middle
/// (cancellation, deadlines, followers that fit a batch).</para>
/// </remarks>
internal sealed class BatchQueue<TRequest, TResult> : IAsyncDisposable
{
    private readonly IBatchExecutor<TRequest, TResult> _executor;
    private readonly BatchRunner<TRequest, TResult> _runner;
    private readonly ServingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly string _model;
    private readonly int _version;
    private readonly int _cores;
    private readonly int _loadedThreads;
    private readonly Lock _lock = new();
    private readonly LinkedList<BatchItem<TRequest, TResult>> _queue = new();
    private readonly List<Task> _workerTasks = [];
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DeploymentSettings _settings;
    private int _workers;
    private int _targetWorkers;
    private int _idle;
    private int _running;
    private bool _stopped;

    // Smoothed duration of recent engine calls, in timestamp ticks: a request that would pass its deadline before a
    // call started now could end is refused (504) instead of being run late.
    private long _computeEstimate;

    public BatchQueue(
        IBatchExecutor<TRequest, TResult> executor,
        DeploymentSettings settings,
        string model,
        int version,
        ServingMetrics metrics,
        TimeProvider time,
        int cores)
    {
        _executor = executor;
        _runner = new BatchRunner<TRequest, TResult>(executor, metrics, time, model, version);
        _settings = settings;
        _model = model;
        _version = version;
        _metrics = metrics;
        _time = time;
        _cores = cores;
        _loadedThreads = settings.IntraOpThreads;
        lock (_lock)
        {
            Resize();
        }
    }

    /// <summary>Requests waiting and requests inside an engine call.</summary>
    public PipelineLoad Load
    {
        get
        {
            int queued;
            lock (_lock)
            {
                queued = _queue.Count;
            }

            return new PipelineLoad(queued, Volatile.Read(ref _running));
        }
    }

    /// <summary>Workers serving the queue (engine calls that may run at once).</summary>
    public int Workers
    {
        get
        {
            lock (_lock)
            {
                return _targetWorkers;
            }
        }
    }

    /// <summary>Queues <paramref name="request"/> and completes with its own result once its batch has run.</summary>
    public Task<TResult> EnqueueAsync(TRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var settings = Volatile.Read(ref _settings);
        var item = new BatchItem<TRequest, TResult>(request, Math.Max(1, _executor.Rows(request)), _time.GetTimestamp());
        lock (_lock)
        {
            if (_stopped)
            {
                throw MaasException.Unavailable($"Model {_model}:{_version} is being unloaded.");
            }

            // An idle worker takes a request at once, so it never really waits: count those as free places.
            if (_queue.Count >= Math.Max(0, settings.MaxQueue) + _idle)
            {
                _metrics.Rejected(_model, _version, "queue_full");
                throw new MaasException(MaasErrorKind.TooManyRequests, $"The queue of {_model}:{_version} is full ({settings.MaxQueue} waiting); retry later.");
            }

            item.TraceQueued(_model, _version);
            item.Node = _queue.AddLast(item);
            Signal();
        }

        _metrics.QueueDepth(_model, _version, 1);
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((Watched)state!).Queue.OnCancelled(((Watched)state!).Item, token), new Watched(this, item))
            : default;
        var deadline = settings.RequestTimeout > TimeSpan.Zero
            ? _time.CreateTimer(static state => ((Watched)state!).Queue.OnDeadline(((Watched)state!).Item), new Watched(this, item), settings.RequestTimeout, Timeout.InfiniteTimeSpan)
            : null;
        item.Watch(registration, deadline);
        return item.Task;
    }

    /// <summary>Applies new batch size, delay, queue length, timeout and instance count at once; requests already
    /// queued keep their deadlines.</summary>
    public void Apply(DeploymentSettings settings)
    {
        lock (_lock)
        {
            Volatile.Write(ref _settings, settings);
            Resize();
            Signal();
        }
    }

    /// <summary>Applies <paramref name="settings"/> as <see cref="Apply"/> does unless they change the intra-op
    /// threads, which are baked into the engine's sessions (or llama.cpp's context) at load: false means a reload.</summary>
    public bool TryApply(DeploymentSettings settings)
    {
        if (settings.IntraOpThreads != _loadedThreads)
        {
            return false;
        }

        Apply(settings);
        return true;
    }

    private void OnCancelled(BatchItem<TRequest, TResult> item, CancellationToken token)
    {
        if (item.TryMove(BatchItemState.Queued, BatchItemState.Done))
        {
            Remove(item);
            _metrics.QueueDepth(_model, _version, -1);
            _metrics.Rejected(_model, _version, "cancelled");
            item.Cancel(token);
        }
        else if (item.TryMove(BatchItemState.Running, BatchItemState.Done))
        {
            item.Cancel(token);
            item.Batch?.Left();
        }
    }

    private void OnDeadline(BatchItem<TRequest, TResult> item)
    {
        if (item.TryMove(BatchItemState.Queued, BatchItemState.Done))
        {
            Remove(item);
            Expire(item);
        }
    }

    private void Expire(BatchItem<TRequest, TResult> item)
    {
        _metrics.QueueDepth(_model, _version, -1);
        _metrics.Rejected(_model, _version, "deadline");
        item.Fail(new MaasException(MaasErrorKind.DeadlineExceeded,
            $"The request waited {_time.GetElapsedTime(item.Arrival).TotalSeconds:0.###} s in the queue of {_model}:{_version} and could not reach the engine within its {Volatile.Read(ref _settings).RequestTimeout.TotalSeconds:0.###} s timeout."));
    }

    private void Remove(BatchItem<TRequest, TResult> item)
    {
        lock (_lock)
        {
            if (item.Node is { List: not null } node)
            {
                _queue.Remove(node);
            }
        }
    }

    // Caller holds _lock.
    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    // Caller holds _lock. Starts workers up to the target; extra ones retire when they next look for work.
    private void Resize()
    {
        _targetWorkers = Math.Max(1, _settings.EffectiveInstances(_cores));
        while (!_stopped && _workers < _targetWorkers)
        {
            _workers++;
            _workerTasks.RemoveAll(t => t.IsCompleted);
            _workerTasks.Add(Task.Run(WorkAsync));
        }
    }

    private async Task WorkAsync()
    {
        var idle = false;
        while (true)
        {
            List<BatchItem<TRequest, TResult>>? batch;
            Task wake;
            long flushAt;
            var settings = Volatile.Read(ref _settings);
            lock (_lock)
            {
                if (idle)
                {
                    _idle--;
                    idle = false;
                }

                if (_stopped || _workers > _targetWorkers)
                {
                    _workers--;
                    return;
                }

                batch = TryTake(settings, out flushAt);
                wake = _changed.Task;
                if (batch is null && flushAt < 0)
                {
                    _idle++;
                    idle = true;
                }
            }

            if (batch is not null)
            {
                await RunAsync(batch).ConfigureAwait(false);
                continue;
            }

            if (flushAt < 0)
            {
                await wake.ConfigureAwait(false);
                continue;
            }

            // Waiting for more rows to join the oldest request: wake at its delay or when the queue changes. The clock
            // is read again once the timer exists, so time that passed in between is not waited for twice.
            var remaining = TimeSpan.FromSeconds((double)(flushAt - _time.GetTimestamp()) / _time.TimestampFrequency);
            using var timer = new CancellationTokenSource();
            var delay = Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, timer.Token);
            if (_time.GetTimestamp() < flushAt)
            {
                await Task.WhenAny(wake, delay).ConfigureAwait(false);
            }

            await timer.CancelAsync().ConfigureAwait(false);
        }
    }

    // Caller holds _lock. Returns the next batch, or null with the timestamp at which to flush the oldest request's
    // partial batch (-1: nothing queued, wait for a request).
    private List<BatchItem<TRequest, TResult>>? TryTake(DeploymentSettings settings, out long flushAt)
    {
        flushAt = -1;
        var head = FirstLive(settings);
        if (head is null)
        {
            return null;
        }

        var maxRows = Math.Max(1, settings.MaxBatchSize);
        if (settings.MaxQueueDelay > TimeSpan.Zero && head.Rows < maxRows)
        {
            var waited = _time.GetElapsedTime(head.Arrival);
            if (waited < settings.MaxQueueDelay && CountJoinable(head, maxRows) < maxRows)
            {
                flushAt = head.Arrival + (long)(settings.MaxQueueDelay.TotalSeconds * _time.TimestampFrequency);
                return null;
            }
        }

        var running = new RunningBatch(_stopping.Token);
        var batch = new List<BatchItem<TRequest, TResult>>();
        var rows = 0;
        for (var node = head.Node; node is not null && rows < maxRows;)
        {
            var next = node.Next;
            var item = node.Value;
            if (item == head || (rows + item.Rows <= maxRows && item.State == BatchItemState.Queued && !Expired(item, settings) && _executor.CanJoin(head.Request, item.Request)))
            {
                item.Batch = running;
                if (item.TryMove(BatchItemState.Queued, BatchItemState.Running))
                {
                    running.Joined();
                    batch.Add(item);
                    rows += item.Rows;
                    _queue.Remove(node);
                }
            }

            node = next;
        }

        if (batch.Count == 0)
        {
            running.Dispose();
            return null;
        }

        Interlocked.Add(ref _running, batch.Count);
        return batch;
    }

    // Caller holds _lock. The oldest request still queued; requests found past their deadline expire on the way.
    private BatchItem<TRequest, TResult>? FirstLive(DeploymentSettings settings)
    {
        while (_queue.First is { } node)
        {
            var item = node.Value;
            if (item.State != BatchItemState.Queued)
            {
                _queue.Remove(node);
                continue;
            }

            if (Expired(item, settings))
            {
                if (item.TryMove(BatchItemState.Queued, BatchItemState.Done))
                {
                    _queue.Remove(node);
                    Expire(item);
                }

                continue;
            }

            return item;
        }

        return null;
    }

    // Past its deadline, or so close that the engine call it would join cannot end in time. The prediction applies
    // only while calls take under half the timeout, so a tight timeout on a slow model still runs lone requests.
    private bool Expired(BatchItem<TRequest, TResult> item, DeploymentSettings settings)
    {
        if (settings.RequestTimeout <= TimeSpan.Zero)
        {
            return false;
        }

        var waited = _time.GetElapsedTime(item.Arrival);
        var compute = TimeSpan.FromSeconds((double)Volatile.Read(ref _computeEstimate) / _time.TimestampFrequency);
        return waited >= settings.RequestTimeout
            || (compute < settings.RequestTimeout / 2 && waited + compute >= settings.RequestTimeout);
    }

    private void RecordCompute(TimeSpan elapsed)
    {
        // Exponential moving average with weight 1/8 on the newest call; races between workers only blur it.
        var ticks = (long)(elapsed.TotalSeconds * _time.TimestampFrequency);
        var old = Volatile.Read(ref _computeEstimate);
        Volatile.Write(ref _computeEstimate, old == 0 ? ticks : old + ((ticks - old) / 8));
    }

    private int CountJoinable(BatchItem<TRequest, TResult> head, int maxRows)
    {
        var rows = head.Rows;
        for (var node = head.Node!.Next; node is not null && rows < maxRows; node = node.Next)
        {
            var item = node.Value;
            if (item.State == BatchItemState.Queued && rows + item.Rows <= maxRows && _executor.CanJoin(head.Request, item.Request))
            {
                rows += item.Rows;
            }
        }

        return rows;
    }

    private async Task RunAsync(List<BatchItem<TRequest, TResult>> batch)
    {
        try
        {
            if (await _runner.RunAsync(batch, _stopping.Token).ConfigureAwait(false) is { } elapsed)
            {
                RecordCompute(elapsed);
            }
        }
        finally
        {
            Interlocked.Add(ref _running, -batch.Count);
        }
    }

    /// <summary>Refuses new requests, fails the queued ones with 503 and waits for running engine calls to end.</summary>
    public async ValueTask DisposeAsync()
    {
        List<BatchItem<TRequest, TResult>> queued;
        Task[] workers;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            queued = [.. _queue];
            _queue.Clear();
            workers = [.. _workerTasks];
            Signal();
        }

        foreach (var item in queued)
        {
            if (item.TryMove(BatchItemState.Queued, BatchItemState.Done))
            {
                _metrics.QueueDepth(_model, _version, -1);
                item.Fail(MaasException.Unavailable($"Model {_model}:{_version} was unloaded."));
            }
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>State handed to a request's cancellation and deadline callbacks.</summary>
    private sealed record Watched(BatchQueue<TRequest, TResult> Queue, BatchItem<TRequest, TResult> Item);
}
