namespace Maas.Core.Engines;

/// <summary>How a version runs (configuration, not part of the version): instances, threads, batching, queue, timeout,
/// preloading and keep-alive. The effective settings of a model are the server's defaults
/// (<c>Maas:Serving:Defaults</c>) with the model's stored overrides applied.</summary>
/// <remarks>
/// For tensor and embedding models, <see cref="MaxBatchSize"/> is the most rows merged into one engine call; for text
/// generators it is the most sequences decoded together (continuous batching) and <see cref="MaxQueue"/> the
/// generations waiting for a sequence slot.
/// </remarks>
public sealed record DeploymentSettings
{
    /// <summary>Engine calls that may run at once on one loaded version; 0 picks <c>cores / threads</c> (at least 1).</summary>
    public int Instances { get; init; }

    /// <summary>Threads one engine call may use; 0 = adaptive: all cores when a call runs alone, 1 per call under
    /// concurrency, so instances × threads never exceeds the cores.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Most rows (tensor/embedding models) or sequences (generators) per engine call; 1 turns batching off.</summary>
    public int MaxBatchSize { get; init; } = 8;

    /// <summary>Longest a request waits for others to join its batch once an instance is free; 0 batches only what is
    /// already queued (no added latency at low load).</summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Requests that may wait for an engine call; more are rejected at once with 429.</summary>
    public int MaxQueue { get; init; } = 64;

    /// <summary>A request's deadline, queueing included; a request still queued past it gets 504 and never reaches the engine.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Load this model's default version at start-up.</summary>
    public bool Preload { get; init; } = true;

    /// <summary>How long a loaded version that no alias pins stays loaded without requests; <see cref="TimeSpan.Zero"/>
    /// or negative keeps it loaded forever.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Instances actually used on a machine with <paramref name="cores"/> cores.</summary>
    public int EffectiveInstances(int cores) => Instances > 0 ? Instances : Math.Max(1, cores / Math.Max(1, IntraOpThreads));
}
