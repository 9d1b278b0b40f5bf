namespace Maas.EndToEnd.Tests.Cli;

/// <summary>A string writer a test can wait on: <see cref="WaitForAsync"/> completes once the text has been written.</summary>
internal sealed class ObservedWriter : StringWriter
{
    private readonly Lock _lock = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public override void Write(char value)
    {
        lock (_lock)
        {
            base.Write(value);
            Signal();
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            base.Write(value);
            Signal();
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_lock)
        {
            base.Write(buffer, index, count);
            Signal();
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            base.Write(buffer);
            Signal();
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return base.ToString();
        }
    }

    public Task WaitForAsync(string text)
    {
        lock (_lock)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            Signal();
            return seen.Task;
        }
    }

    private void Signal()
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        var written = GetStringBuilder().ToString();
        foreach (var waiter in _waiters.Where(w => written.Contains(w.Text, StringComparison.Ordinal)).ToList())
        {
            waiter.Seen.TrySetResult();
            _waiters.Remove(waiter);
        }
    }
}
