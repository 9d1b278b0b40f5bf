using Maas.Registry.Abstractions;

namespace Maas.Jobs;

/// <summary>A job this process has queued or is running: its latest state (published immutably), a signal for
/// watchers, and its cancellation.</summary>
internal sealed class LiveJob
{
    private readonly Lock _reportLock = new();
    private readonly CancellationTokenSource _cancel = new();
    private JobRecord _snapshot;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _cancelledBy;
    private int _taken;

    public LiveJob(JobRecord job, JobRequest request, IJobHandler handler)
    {
        _snapshot = job;
        Request = request;
        Handler = handler;
    }

    public string Id => Snapshot.Id;

    public JobRequest Request { get; }

    public IJobHandler Handler { get; }

    public JobRecord Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Completes at the next change. Take it before reading <see cref="Snapshot"/>, so no change is missed.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public CancellationToken CancellationToken => _cancel.Token;

    /// <summary>Who asked to cancel, once someone has.</summary>
    public string? CancelledBy => Volatile.Read(ref _cancelledBy);

    public void Publish(JobRecord snapshot)
    {
        lock (_reportLock)
        {
            Volatile.Write(ref _snapshot, snapshot);
        }

        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>The handler's progress callback: may come from any thread, often.</summary>
    public void Report(double fraction, string stage)
    {
        lock (_reportLock)
        {
            var current = _snapshot;
            if (current.State.IsFinal() || (current.Progress == fraction && current.Stage == stage))
            {
                return;
            }

            Volatile.Write(ref _snapshot, current with { Progress = fraction, Stage = stage });
        }

        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>True for the one worker that gets to run this job (an id may be queued twice: submitted here and picked
    /// up by the heartbeat).</summary>
    public bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;

    public void RequestCancel(string actor)
    {
        Interlocked.CompareExchange(ref _cancelledBy, actor, null);
        _cancel.Cancel();
    }
}
