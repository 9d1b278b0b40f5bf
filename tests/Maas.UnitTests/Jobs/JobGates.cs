using System.Collections.Concurrent;

namespace Maas.UnitTests.Jobs;

/// <summary>One gate per job id that a test handler waits on, plus a signal when each job has started.</summary>
internal sealed class JobGates
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();
    private readonly ConcurrentQueue<string> _startOrder = new();

    public IReadOnlyList<string> StartOrder => [.. _startOrder];

    public Task WaitAsync(string id, CancellationToken cancellationToken)
    {
        _startOrder.Enqueue(id);
        Get(_started, id).TrySetResult();
        return Get(_gates, id).Task.WaitAsync(cancellationToken);
    }

    public void Open(string id) => Get(_gates, id).TrySetResult();

    public Task Started(string id) => Get(_started, id).Task.WaitAsync(TimeSpan.FromSeconds(30));

    public bool HasStarted(string id) => Get(_started, id).Task.IsCompleted;

    private static TaskCompletionSource Get(ConcurrentDictionary<string, TaskCompletionSource> map, string id) =>
        map.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
