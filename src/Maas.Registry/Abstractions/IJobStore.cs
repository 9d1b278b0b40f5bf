namespace Maas.Registry.Abstractions;

/// <summary>Durable job records in the registry's database, next to the versions jobs register.</summary>
/// <remarks>
/// State changes are conditional (a job leaves <see cref="JobState.Queued"/> or <see cref="JobState.Running"/> once), so a
/// cancel racing a start or a finish has exactly one winner. Submissions, cancels and finishes are audited.
/// </remarks>
public interface IJobStore
{
    /// <summary>Stores a new queued job (audited as <c>job.submit</c>).</summary>
    Task CreateJobAsync(JobRecord job, CancellationToken cancellationToken = default);

    Task<JobRecord?> GetJobAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Jobs newest first, optionally only one state and/or kind.</summary>
    Task<IReadOnlyList<JobRecord>> ListJobsAsync(JobState? state, string? kind, int limit, CancellationToken cancellationToken = default);

    /// <summary>Queued → running; false when the job is no longer queued (cancelled meanwhile).</summary>
    Task<bool> StartJobAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Records progress of a running job (no audit; callers throttle).</summary>
    Task UpdateJobProgressAsync(string id, double progress, string? stage, CancellationToken cancellationToken = default);

    /// <summary>Moves a job from one of <paramref name="from"/> to its final state (audited as <c>job.cancel</c> or
    /// <c>job.finish</c> by <paramref name="actor"/>); null when the job was not in one of those states.</summary>
    Task<JobRecord?> FinishJobAsync(string id, JobCompletion completion, string actor, IReadOnlyCollection<JobState> from, CancellationToken cancellationToken = default);

    /// <summary>At start-up: every queued or running job left by a stopped process becomes interrupted with
    /// <paramref name="reason"/>, or succeeded when a version whose lineage names the job exists (its push committed
    /// just before the stop). Returns the jobs changed.</summary>
    Task<IReadOnlyList<JobRecord>> RecoverJobsAsync(string reason, CancellationToken cancellationToken = default);

    /// <summary>Queued → running, owned by <paramref name="owner"/> until <paramref name="leaseUntil"/> (renewed by
    /// <see cref="RenewLeasesAsync"/>). One conditional update: of several replicas claiming the same job, exactly one
    /// gets true.</summary>
    Task<bool> ClaimJobAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>The owner's heartbeat: extends the lease of every job it runs and returns them, each with the pending
    /// cancel request if any. A running job of this owner missing from the answer was taken from it (lease expired).</summary>
    Task<IReadOnlyList<JobLeaseRenewal>> RenewLeasesAsync(string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>Asks the replica running the job to cancel it (it sees the request at its next heartbeat); false when
    /// the job is not running.</summary>
    Task<bool> RequestCancelAsync(string id, string actor, CancellationToken cancellationToken = default);

    /// <summary>Settles running jobs whose owner stopped renewing their lease before <paramref name="now"/> (or that have
    /// no lease), and, with <paramref name="owner"/>, every running job of that owner (a previous life of this replica):
    /// interrupted with <paramref name="reason"/>, or succeeded when their version was registered. Queued jobs stay
    /// queued for any replica to claim. Returns the jobs changed.</summary>
    Task<IReadOnlyList<JobRecord>> ExpireLeasesAsync(string reason, DateTimeOffset now, string? owner, CancellationToken cancellationToken = default);
}
