namespace Maas.Cli.Bench;

/// <summary>Collects the outcome of each request of one level; written by many senders, read by the progress line.</summary>
internal sealed class LevelRecorder
{
    private const int MaxSampleLength = 160;

    private readonly Lock _lock = new();
    private readonly List<double> _latencies = [];
    private readonly Dictionary<string, (int Count, string Sample)> _errors = new(StringComparer.Ordinal);
    private int _failed;
    private long _rows;

    public int Succeeded
    {
        get
        {
            lock (_lock)
            {
                return _latencies.Count;
            }
        }
    }

    public int Failed => Volatile.Read(ref _failed);

    public long Rows => Interlocked.Read(ref _rows);

    public void Success(double milliseconds, int rows)
    {
        lock (_lock)
        {
            _latencies.Add(milliseconds);
        }

        Interlocked.Add(ref _rows, rows);
    }

    public void Failure(string kind, string message)
    {
        lock (_lock)
        {
            _errors[kind] = _errors.TryGetValue(kind, out var seen)
                ? (seen.Count + 1, seen.Sample)
                : (1, message.Length <= MaxSampleLength ? message : message[..MaxSampleLength] + "…");
        }

        Interlocked.Increment(ref _failed);
    }

    public double[] Latencies()
    {
        lock (_lock)
        {
            return [.. _latencies];
        }
    }

    public IReadOnlyList<ErrorCount> Errors()
    {
        lock (_lock)
        {
            return _errors.OrderByDescending(e => e.Value.Count).ThenBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => new ErrorCount(e.Key, e.Value.Count, e.Value.Sample)).ToList();
        }
    }
}
