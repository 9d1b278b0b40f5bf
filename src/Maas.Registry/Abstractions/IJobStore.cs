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
}
