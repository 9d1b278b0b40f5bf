using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Maas.Serving.Metrics;

/// <summary>The <c>Maas.Serving</c> meter: per-model queue and compute time, batch sizes, queue depth, loads and
/// loaded memory. Request counts and total latency per protocol are recorded by the server (<c>Maas.Server</c>).</summary>
/// <remarks>
/// Tags: <c>maas.model</c> (name) and <c>maas.version</c> (number) on everything per version. Gauges are up-down
/// counters, so several loaded versions add up without callbacks.
/// </remarks>
public sealed class ServingMetrics
{
    public const string MeterName = "Maas.Serving";

    private readonly Histogram<double> _queueDuration;
    private readonly Histogram<double> _computeDuration;
    private readonly Histogram<int> _batchSize;
    private readonly UpDownCounter<int> _queueDepth;
    private readonly Counter<long> _rejected;
    private readonly UpDownCounter<int> _loaded;
    private readonly UpDownCounter<long> _memory;
    private readonly Histogram<double> _loadDuration;
    private readonly Counter<long> _loadFailures;
    private readonly Counter<long> _unloads;
    private readonly ModelStatistics? _statistics;

    /// <param name="meterFactory">Creates the meter.</param>
    /// <param name="statistics">The statistics extension's store, fed from the same measurements; none in tests that only need the meter.</param>
    public ServingMetrics(IMeterFactory meterFactory, ModelStatistics? statistics = null)
    {
        _statistics = statistics;
        var meter = meterFactory.Create(MeterName);
        _queueDuration = meter.CreateHistogram<double>("maas.inference.queue.duration", "s", "Time a request waited in its model's queue before its engine call started.");
        _computeDuration = meter.CreateHistogram<double>("maas.inference.compute.duration", "s", "Duration of one engine call (one batch), pre- and post-processing included.");
        _batchSize = meter.CreateHistogram<int>("maas.inference.batch.size", "{row}", "Rows merged into one engine call.");
        _queueDepth = meter.CreateUpDownCounter<int>("maas.inference.queue.depth", "{request}", "Requests waiting in a model's queue.");
        _rejected = meter.CreateCounter<long>("maas.inference.rejected", "{request}", "Requests refused by admission (reason: queue_full, deadline, cancelled).");
        _loaded = meter.CreateUpDownCounter<int>("maas.models.loaded", "{version}", "Versions loaded and ready.");
        _memory = meter.CreateUpDownCounter<long>("maas.models.memory", "By", "Memory held by loaded versions, as their engines estimate it.");
        _loadDuration = meter.CreateHistogram<double>("maas.model.load.duration", "s", "Time to load and warm up a version (outcome: ready, failed).");
        _loadFailures = meter.CreateCounter<long>("maas.model.load.failures", "{load}", "Loads that failed.");
        _unloads = meter.CreateCounter<long>("maas.model.unloads", "{unload}", "Versions unloaded (reason: route_moved, idle, memory_budget, deleted, settings, shutdown).");
    }

    public void Queued(string model, int version, TimeSpan waited)
    {
        _queueDuration.Record(waited.TotalSeconds, Tags(model, version));
        _statistics?.Queued(model, version, waited);
    }

    /// <summary>One engine call of <paramref name="rows"/> rows, merged from <paramref name="requests"/> requests, succeeded.</summary>
    public void Computed(string model, int version, TimeSpan elapsed, int rows, int requests = 1, TimeSpan input = default, TimeSpan output = default)
    {
        var tags = Tags(model, version);
        _computeDuration.Record(elapsed.TotalSeconds, tags);
        _batchSize.Record(rows, tags);
        _statistics?.Computed(model, version, elapsed, rows, requests, input, output);
    }

    public void QueueDepth(string model, int version, int delta) => _queueDepth.Add(delta, Tags(model, version));

    public void Rejected(string model, int version, string reason) =>
        _rejected.Add(1, new TagList { { "maas.model", model }, { "maas.version", version }, { "reason", reason } });

    public void Loaded(string model, int version, TimeSpan elapsed, long memoryBytes)
    {
        var tags = Tags(model, version);
        _loadDuration.Record(elapsed.TotalSeconds, new TagList { { "maas.model", model }, { "maas.version", version }, { "outcome", "ready" } });
        _loaded.Add(1, tags);
        _memory.Add(memoryBytes, tags);
    }

    public void LoadFailed(string model, int version, TimeSpan elapsed)
    {
        _loadDuration.Record(elapsed.TotalSeconds, new TagList { { "maas.model", model }, { "maas.version", version }, { "outcome", "failed" } });
        _loadFailures.Add(1, Tags(model, version));
    }

    /// <summary>A ready version was unloaded: its memory and its place among the loaded leave the gauges.</summary>
    public void Unloaded(string model, int version, long memoryBytes, string reason)
    {
        var tags = Tags(model, version);
        _loaded.Add(-1, tags);
        _memory.Add(-memoryBytes, tags);
        _unloads.Add(1, new TagList { { "maas.model", model }, { "maas.version", version }, { "reason", reason } });
    }

    private static TagList Tags(string model, int version) => new() { { "maas.model", model }, { "maas.version", version } };
}
