using Maas.Registry.Abstractions;

namespace Maas.Serving.Hosting;

/// <summary>The host's place for one version key: the instance serving it, the load in progress, the last failure and
/// when a request last asked for it.</summary>
/// <remarks>
/// Transitions happen under <see cref="Gate"/>; request threads read <see cref="Serving"/> without it (published with
/// <see cref="Volatile"/>). A slot is never removed from the host, only emptied, so a request holding it can never
/// load into a slot the host no longer tracks.
/// </remarks>
internal sealed class VersionSlot(ModelVersionInfo version)
{
    private ModelVersionInfo _version = version;
    private Deployment? _serving;
    private PendingLoad? _loading;
    private LoadFailure? _failure;
    private long _lastUsedTicks;

    public object Gate { get; } = new();

    public string Key { get; } = version.Key;

    public string Model { get; } = version.Model;

    public int Number { get; } = version.Version;

    /// <summary>The version as last loaded (a deleted number can be pushed again with other files).</summary>
    public ModelVersionInfo Version
    {
        get => Volatile.Read(ref _version);
        set => Volatile.Write(ref _version, value);
    }

    /// <summary>The ready instance requests use, or null.</summary>
    public Deployment? Serving
    {
        get => Volatile.Read(ref _serving);
        set => Volatile.Write(ref _serving, value);
    }

    public PendingLoad? Loading
    {
        get => Volatile.Read(ref _loading);
        set => Volatile.Write(ref _loading, value);
    }

    public LoadFailure? Failure
    {
        get => Volatile.Read(ref _failure);
        set => Volatile.Write(ref _failure, value);
    }

    public DateTimeOffset? LastUsed => Volatile.Read(ref _lastUsedTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void Touch(DateTimeOffset now) => Volatile.Write(ref _lastUsedTicks, now.UtcTicks);

    /// <summary>True when the slot holds nothing worth listing.</summary>
    public bool IsEmpty => Serving is null && Loading is null && Failure is null;

    /// <summary>Takes the serving instance out of service if nothing is inside it; the caller unloads it.</summary>
    public Deployment? TryEvict()
    {
        lock (Gate)
        {
            if (Serving is not { IsIdle: true } deployment)
            {
                return null;
            }

            Serving = null;
            deployment.Close();
            return deployment;
        }
    }

    /// <summary>A load in progress: the instance being built and the task that completes when it is ready (or fails).</summary>
    internal sealed record PendingLoad(Deployment Deployment, Task<Deployment> Task);
}
