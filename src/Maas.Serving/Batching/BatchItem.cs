using System.Diagnostics;
using Maas.Serving.Tracing;

namespace Maas.Serving.Batching;

/// <summary>One caller's request in a <see cref="BatchQueue{TRequest, TResult}"/>: its rows, arrival time, deadline
/// timer, cancellation registration and the task its caller awaits.</summary>
/// <remarks>State changes are compare-and-swap on <see cref="BatchItemState"/>, so exactly one of the worker, the
/// caller's cancellation and the deadline timer decides how the request ends.</remarks>
internal sealed class BatchItem<TRequest, TResult>(TRequest request, int rows, long arrival)
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = BatchItemState.Queued;
    private CancellationTokenRegistration _cancellation;
    private ITimer? _deadline;
    private Activity? _queued;

    public TRequest Request { get; } = request;

    public int Rows { get; } = rows;

    /// <summary>Arrival, as a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long Arrival { get; } = arrival;

    /// <summary>The node holding this item in the queue's list; owned by the queue's lock.</summary>
    public LinkedListNode<BatchItem<TRequest, TResult>>? Node { get; set; }

    /// <summary>The engine call this request joined, once running.</summary>
    public RunningBatch? Batch { get; set; }

    public Task<TResult> Task => _completion.Task;

    /// <summary>The span the caller was in when it queued the request (default when not traced): the batch that serves
    /// the request links to it.</summary>
    public ActivityContext TraceContext { get; private set; }

    /// <summary>Opens the request's <c>maas.queue</c> span, a child of the caller's current span; it ends when a batch
    /// takes the request (<see cref="Dequeued"/>) or the request ends while still queued.</summary>
    public void TraceQueued(string model, int version)
    {
        TraceContext = Activity.Current?.Context ?? default;
        _queued = ServingActivities.StartDetached(ServingActivities.Queue, model, version);
    }

    /// <summary>A batch took the request: its time in the queue ends.</summary>
    public void Dequeued() => EndQueued(null);

    public int State => Volatile.Read(ref _state);

    public void Watch(CancellationTokenRegistration cancellation, ITimer? deadline)
    {
        _cancellation = cancellation;
        _deadline = deadline;
        if (State == BatchItemState.Done)
        {
            // Ended (cancelled at once) before the watchers were stored: release them now.
            Release();
        }
    }

    public bool TryMove(int from, int to) => Interlocked.CompareExchange(ref _state, to, from) == from;

    public void Succeed(TResult result)
    {
        Release();
        _completion.TrySetResult(result);
    }

    public void Fail(Exception exception)
    {
        EndQueued(exception);
        Release();
        _completion.TrySetException(exception);
    }

    public void Cancel(CancellationToken cancellationToken)
    {
        Release();
        _completion.TrySetCanceled(cancellationToken);
    }

    private void EndQueued(Exception? error)
    {
        if (Interlocked.Exchange(ref _queued, null) is { } span)
        {
            ServingActivities.EndDetached(span, error);
        }
    }

    private void Release()
    {
        EndQueued(null);
        // Unregister rather than Dispose: this may run inside the registration's own callback.
        _cancellation.Unregister();
        _deadline?.Dispose();
    }
}
