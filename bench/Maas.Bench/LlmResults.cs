using System.Diagnostics;

namespace Maas.Bench;

/// <summary>Every timed generation of an <c>llm</c> run, one list per round and mode.</summary>
internal sealed class LlmResults
{
    public List<List<StreamTiming>> InProcess { get; } = [];

    public List<List<StreamTiming>> Server { get; } = [];

    public List<List<StreamTiming>> InProcessConcurrent { get; } = [];

    public List<TimeSpan> InProcessConcurrentWall { get; } = [];

    public List<List<StreamTiming>> Concurrent { get; } = [];

    public List<TimeSpan> ConcurrentWall { get; } = [];

    /// <summary>Decode tokens/s of one stream: generated tokens after the first over the time between first and last arrival.</summary>
    public static double DecodeRate(IEnumerable<StreamTiming> streams)
    {
        var list = streams.Where(s => s.Arrivals.Count >= 2).ToList();
        var seconds = list.Sum(s => Stopwatch.GetElapsedTime(s.Arrivals[0], s.Arrivals[^1]).TotalSeconds);
        return list.Sum(s => s.Tokens - 1) / seconds;
    }

    /// <summary>Tokens/s of requests run one after another, request sent to last byte (prompt and first token included).</summary>
    public static double EndToEndRate(IEnumerable<StreamTiming> streams)
    {
        var list = streams.ToList();
        return list.Sum(s => s.Tokens) / list.Sum(s => Stopwatch.GetElapsedTime(s.Started, s.Finished).TotalSeconds);
    }

    /// <summary>Tokens/s of streams run together: all their tokens over the wall time from the first request to the last byte.</summary>
    public static double Aggregate(IEnumerable<StreamTiming> streams, TimeSpan wall) => streams.Sum(s => s.Tokens) / wall.TotalSeconds;
}
