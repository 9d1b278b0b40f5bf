using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Serving.Pipelines;

namespace Maas.Serving.Hosting;

/// <summary>One loaded instance of a version with its deployment settings: its state, its pipeline once ready, and the
/// requests inside it.</summary>
/// <remarks>
/// Requests take a lease; unloading first stops new leases, then waits for the running ones to finish before disposing
/// the pipeline (and with it the engine's native handles), so a swap drops nothing. Admission (queueing, batching,
/// 429/504) is the pipeline's. Everything request threads read is published with <see cref="Volatile"/> or is an
/// immutable snapshot.
/// </remarks>
public sealed class Deployment
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DeploymentSettings _settings;
    private ReadyState? _ready;
    private string? _failureReason;
    private int _state = (int)ModelState.Loading;
    private int _leases;
    private int _closing;
    private int _unloaded;

    internal Deployment(ModelVersionInfo version, DeploymentSettings settings, DateTimeOffset startedAt)
    {
        Version = version;
        _settings = settings;
        StartedAt = startedAt;
    }

    public ModelVersionInfo Version { get; }

    /// <summary>The effective settings this instance runs with (changed in place when the pipeline accepts new ones).</summary>
    public DeploymentSettings Settings => Volatile.Read(ref _settings);

    public ModelState State => (ModelState)Volatile.Read(ref _state);

    /// <summary>Why loading failed, when <see cref="State"/> is <see cref="ModelState.Failed"/>.</summary>
    public string? FailureReason => Volatile.Read(ref _failureReason);

    /// <summary>When loading started.</summary>
    public DateTimeOffset StartedAt { get; }

    public IInferencePipeline? Pipeline => Volatile.Read(ref _ready)?.Pipeline;

    /// <summary>When the instance became ready; null before.</summary>
    public DateTimeOffset? LoadedAt => Volatile.Read(ref _ready)?.LoadedAt;

    /// <summary>Load and warm-up time; null before ready.</summary>
    public TimeSpan? LoadDuration => Volatile.Read(ref _ready)?.Duration;

    /// <summary>Memory the pipeline holds (engine's estimate); 0 before ready.</summary>
    public long MemoryBytes => Pipeline?.MemoryBytes ?? 0;

    /// <summary>Requests holding a lease (queued in the pipeline or running).</summary>
    public int InFlight => Math.Max(0, Volatile.Read(ref _leases));

    /// <summary>Requests inside an engine call, as the pipeline reports them.</summary>
    public int Running => Pipeline?.Load.Running ?? 0;

    /// <summary>Requests waiting in the pipeline's queue.</summary>
    public int Waiting => Pipeline?.Load.Queued ?? 0;

    /// <summary>True when nothing is inside or queued: safe to evict.</summary>
    internal bool IsIdle => InFlight == 0 && Pipeline?.Load is not { Queued: > 0 } and not { Running: > 0 };

    internal bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Memory the pipeline held when it became ready (what the loaded-memory gauge counted).</summary>
    internal long MemoryAtLoad => Volatile.Read(ref _ready)?.MemoryAtLoad ?? 0;

    internal void MarkReady(IInferencePipeline pipeline, DateTimeOffset loadedAt, TimeSpan duration, long memoryBytes)
    {
        Volatile.Write(ref _ready, new ReadyState(pipeline, loadedAt, duration, memoryBytes));
        Volatile.Write(ref _state, (int)ModelState.Ready);
    }

    internal void MarkFailed(string reason)
    {
        Volatile.Write(ref _failureReason, reason);
        Volatile.Write(ref _state, (int)ModelState.Failed);
    }

    /// <summary>Records settings the running pipeline accepted.</summary>
    internal void ApplySettings(DeploymentSettings settings) => Volatile.Write(ref _settings, settings);

    /// <summary>Enters the deployment and returns a lease to dispose when done, or null when the deployment is being
    /// unloaded (its route has moved on: the caller routes again).</summary>
    internal Lease? TryAcquire()
    {
        Interlocked.Increment(ref _leases);
        if (Volatile.Read(ref _closing) != 0)
        {
            Leave();
            return null;
        }

        if (State != ModelState.Ready)
        {
            Leave();
            throw MaasException.Unavailable(State == ModelState.Failed
                ? $"Model {Version.Key} failed to load: {FailureReason}"
                : $"Model {Version.Key} is {State.ToString().ToLowerInvariant()}.");
        }

        return new Lease(this);
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _closing) != 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Stops new leases; running ones finish. Returns false when it was already closing.</summary>
    internal bool Close()
    {
        // A full fence between raising the flag and reading the count pairs with TryAcquire's increment-then-check.
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return false;
        }

        Interlocked.CompareExchange(ref _state, (int)ModelState.Unloading, (int)ModelState.Ready);
        if (Volatile.Read(ref _leases) == 0)
        {
            _drained.TrySetResult();
        }

        return true;
    }

    /// <summary>Stops new requests, waits for running ones, then disposes the pipeline (once).</summary>
    internal async Task UnloadAsync()
    {
        Close();
        await _drained.Task.ConfigureAwait(false);
        if (Interlocked.Exchange(ref _unloaded, 1) == 0 && Pipeline is { } pipeline)
        {
            await pipeline.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record ReadyState(IInferencePipeline Pipeline, DateTimeOffset LoadedAt, TimeSpan Duration, long MemoryAtLoad);

    /// <summary>A request's hold on the deployment.</summary>
    internal readonly struct Lease(Deployment owner) : IDisposable
    {
        public Deployment Deployment => owner;

        public IInferencePipeline Pipeline => owner.Pipeline!;

        public void Dispose() => owner.Leave();
    }
}
