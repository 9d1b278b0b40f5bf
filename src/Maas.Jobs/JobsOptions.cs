namespace Maas.Jobs;

/// <summary>The job runner's limits, bound from <c>Maas:Jobs</c>.</summary>
/// <remarks>
/// CPU-heavy jobs (quantization, calibration, measuring) each keep every core busy, so by default one runs at a time;
/// the rest wait in first-in, first-out order. Other jobs run in a separate lane with their own limit.
/// </remarks>
public sealed class JobsOptions
{
    /// <summary>CPU-heavy jobs running at once (<c>Maas:Jobs:MaxCpuHeavy</c>).</summary>
    public int MaxCpuHeavy { get; set; } = 1;

    /// <summary>Other jobs running at once (<c>Maas:Jobs:MaxOther</c>).</summary>
    public int MaxOther { get; set; } = 2;

    /// <summary>Jobs waiting per lane before a submission is refused with 429 (<c>Maas:Jobs:MaxQueued</c>).</summary>
    public int MaxQueued { get; set; } = 100;

    /// <summary>Shortest time between two progress writes of a job to the database (<c>Maas:Jobs:ProgressInterval</c>);
    /// watchers get every change live regardless.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Where jobs get their scratch folders; defaults to <c>jobs/</c> in the registry's data folder. Emptied at
    /// start-up (what is there belongs to a stopped process).</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Names this replica as the owner of the jobs it claims (<c>Maas:Server:ReplicaId</c>); host name and
    /// process id when unset. A replica restarted with the same id settles its previous life's jobs at once instead of
    /// waiting for their leases to run out.</summary>
    public string? ReplicaId { get; set; }

    /// <summary>How long a claimed job stays owned without a heartbeat (<c>Maas:Jobs:LeaseDuration</c>). When it runs
    /// out (the owner died or lost the database), any replica marks the job interrupted; it is not retried, since a
    /// long job run twice costs more than asking again.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time between two heartbeats (<c>Maas:Jobs:HeartbeatInterval</c>): renew this replica's leases, pick
    /// up cancel requests made on other replicas, settle expired leases and claim queued jobs nobody runs.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);
}
