using System.Collections;
using System.Diagnostics;

namespace Maas.EndToEnd.Tests.Tracing;

/// <summary>The in-memory exporter's target: thread-safe (spans end on server threads while a test reads), with a
/// wait for the spans a test expects, since a server span ends only after its response has been sent.</summary>
public sealed class ExportedActivities : ICollection<Activity>
{
    private readonly Lock _lock = new();
    private readonly List<Activity> _items = [];
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(Activity item)
    {
        TaskCompletionSource added;
        lock (_lock)
        {
            _items.Add(item);
            added = _added;
            _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        added.TrySetResult();
    }

    /// <summary>The spans of one trace exported so far.</summary>
    public Activity[] InTrace(ActivityTraceId traceId)
    {
        lock (_lock)
        {
            return _items.Where(a => a.TraceId == traceId).ToArray();
        }
    }

    /// <summary>Waits until the spans exported so far satisfy <paramref name="done"/>; fails after 30 s.</summary>
    public async Task<Activity[]> WaitForAsync(Func<Activity[], bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            Activity[] snapshot;
            Task added;
            lock (_lock)
            {
                snapshot = [.. _items];
                added = _added.Task;
            }

            if (done(snapshot))
            {
                return snapshot;
            }

            try
            {
                await added.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The expected spans were not exported within 30 s; exported: {string.Join(", ", snapshot.Select(a => a.OperationName))}.");
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        lock (_lock)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_lock)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(Activity item)
    {
        lock (_lock)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator()
    {
        lock (_lock)
        {
            return _items.ToList().GetEnumerator();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
