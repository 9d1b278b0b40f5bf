using System.Diagnostics;

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
    private int _sent;
    private long _firstSent;
    private long _lastSent;

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

    /// <summary>Requests per second the client actually sent: the intervals between the first send and the last one
    /// over their span. Below an open loop's target rate when the client cannot keep up; null before two sends.</summary>
    public double? SendRate
    {
        get
        {
            lock (_lock)
            {
                return _sent < 2 || _lastSent <= _firstSent ? null : (_sent - 1) / ((double)(_lastSent - _firstSent) / Stopwatch.Frequency);
            }
        }
    }

    /// <summary>Notes that a request left at <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Sent(long timestamp)
    {
        lock (_lock)
        {
            if (_sent++ == 0)
            {
                _firstSent = timestamp;
            }

            _firstSent = Math.Min(_firstSent, timestamp);
            _lastSent = Math.Max(_lastSent, timestamp);
        }
    }

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
