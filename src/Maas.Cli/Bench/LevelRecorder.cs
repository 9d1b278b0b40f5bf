namespace Maas.Cli.Bench;

/// <summary>Collects the outcome of each request of one level; written by many senders, read by the progress line.</summary>
internal sealed class LevelRecorder
{
    private const int MaxSampleLength = 160;

    private readonly Lock _lock = new();
    private readonly List<double> _latencies = [];
    private readonly Dictionary<string, (List<double> Latencies, string Sample)> _errors = new(StringComparer.Ordinal);
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

    /// <summary>Records a failed request of <paramref name="kind"/> (<c>HTTP 429</c>, <c>timeout</c>, ...) and how long
    /// it took to fail, so each kind of failure gets its own latency summary.</summary>
    public void Failure(string kind, string message, double milliseconds)
    {
        lock (_lock)
        {
            if (!_errors.TryGetValue(kind, out var seen))
            {
                seen = ([], message.Length <= MaxSampleLength ? message : message[..MaxSampleLength] + "…");
                _errors[kind] = seen;
            }

            seen.Latencies.Add(milliseconds);
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
            return _errors.OrderByDescending(e => e.Value.Latencies.Count).ThenBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => new ErrorCount(e.Key, e.Value.Latencies.Count, e.Value.Sample, LatencySummary.From(e.Value.Latencies)!)).ToList();
        }
    }
}
