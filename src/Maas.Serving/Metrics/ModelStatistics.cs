using System.Collections.Concurrent;

namespace Maas.Serving.Metrics;

/// <summary>Cumulative per-version counts and durations for the Open Inference Protocol statistics extension
/// (<c>GET /v2/models/{name}/stats</c>).</summary>
/// <remarks>
/// Fed by the same calls that record the <c>/metrics</c> instruments: queue waits and engine calls through
/// <see cref="ServingMetrics"/>, request outcomes and end-to-end durations through the server's request metrics, so
/// the two views agree. Counters only grow (until the process ends) and are updated with interlocked adds, so a
/// reader sees each counter whole, though not all of a version's counters at the same instant.
/// </remarks>
public sealed class ModelStatistics(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Model, int Version), VersionStatistics> _versions = new();

    /// <summary>A request waited <paramref name="waited"/> in the version's queue before its engine call started.</summary>
    public void Queued(string model, int version, TimeSpan waited) => For(model, version).Queue.Add(waited);

    /// <summary>An engine call of <paramref name="rows"/> rows for <paramref name="requests"/> requests took <paramref name="elapsed"/>,
    /// of which <paramref name="input"/> preparing its inputs (tokenizing, concatenating) and <paramref name="output"/>
    /// taking its outputs apart (pooling, slicing per request); the rest is inference.</summary>
    public void Computed(string model, int version, TimeSpan elapsed, int rows, int requests, TimeSpan input = default, TimeSpan output = default)
    {
        var stats = For(model, version);
        Interlocked.Add(ref stats.InferenceCount, rows);
        Interlocked.Increment(ref stats.ExecutionCount);

        // Each request of a merged call spent the whole call in compute, as the protocol counts it.
        var infer = elapsed - input - output;
        if (infer < TimeSpan.Zero)
        {
            infer = TimeSpan.Zero;
        }

        stats.ComputeInput.Add(input, requests);
        stats.ComputeInfer.Add(infer, requests);
        stats.ComputeOutput.Add(output, requests);
        var batch = stats.Batches.GetOrAdd(rows, static _ => new BatchDurations());
        batch.Input.Add(input);
        batch.Infer.Add(infer);
        batch.Output.Add(output);
        Interlocked.Exchange(ref stats.LastInferenceMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>A request for the version ended (<paramref name="success"/> or not) after <paramref name="elapsed"/>.</summary>
    public void Completed(string model, int version, bool success, TimeSpan elapsed)
    {
        var stats = For(model, version);
        (success ? stats.Success : stats.Fail).Add(elapsed);
    }

    /// <summary>The version's statistics so far; all zero when it has seen no request.</summary>
    public VersionStatisticsSnapshot Get(string model, int version)
    {
        if (!_versions.TryGetValue((model, version), out var stats))
        {
            return new VersionStatisticsSnapshot(model, version, 0, 0, 0, default, default, default, default, []) { ComputeInput = default, ComputeOutput = default };
        }

        var batches = stats.Batches
            .Select(b => new BatchStatistics(b.Key, b.Value.Infer.Snapshot()) { ComputeInput = b.Value.Input.Snapshot(), ComputeOutput = b.Value.Output.Snapshot() })
            .OrderBy(b => b.BatchSize)
            .ToList();
        return new VersionStatisticsSnapshot(
            model,
            version,
            Interlocked.Read(ref stats.LastInferenceMs),
            Interlocked.Read(ref stats.InferenceCount),
            Interlocked.Read(ref stats.ExecutionCount),
            stats.Success.Snapshot(),
            stats.Fail.Snapshot(),
            stats.Queue.Snapshot(),
            stats.ComputeInfer.Snapshot(),
            batches)
        {
            ComputeInput = stats.ComputeInput.Snapshot(),
            ComputeOutput = stats.ComputeOutput.Snapshot(),
        };
    }

    private VersionStatistics For(string model, int version) =>
        _versions.GetOrAdd((model, version), static _ => new VersionStatistics());

    private sealed class VersionStatistics
    {
        public readonly Duration Success = new();
        public readonly Duration Fail = new();
        public readonly Duration Queue = new();
        public readonly Duration ComputeInput = new();
        public readonly Duration ComputeInfer = new();
        public readonly Duration ComputeOutput = new();
        public readonly ConcurrentDictionary<int, BatchDurations> Batches = new();
        public long InferenceCount;
        public long ExecutionCount;
        public long LastInferenceMs;
    }

    private sealed class BatchDurations
    {
        public readonly Duration Input = new();
        public readonly Duration Infer = new();
        public readonly Duration Output = new();
    }

    private sealed class Duration
    {
        private long _count;
        private long _nanoseconds;

        public void Add(TimeSpan elapsed, int times = 1)
        {
            Interlocked.Add(ref _count, times);
            Interlocked.Add(ref _nanoseconds, (long)(elapsed.Ticks * 100L * (double)times));
        }

        public StatisticsDuration Snapshot() => new(Interlocked.Read(ref _count), Interlocked.Read(ref _nanoseconds));
    }
}
