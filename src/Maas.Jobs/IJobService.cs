using Maas.Registry.Abstractions;

namespace Maas.Jobs;

/// <summary>Submits, lists, watches and cancels jobs (what the admin API and the CLI drive).</summary>
public interface IJobService
{
    /// <summary>Validates the request with its kind's handler, stores the job queued and schedules it.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">InvalidArgument for an unknown kind or bad parameters, NotFound
    /// for a model or version the parameters name that does not exist, TooManyRequests when the queue is full.</exception>
    Task<JobRecord> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default);

    /// <summary>The job as it is now (live progress for a running one), or null.</summary>
    Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<JobRecord>> ListAsync(JobState? state, string? kind, int limit, CancellationToken cancellationToken = default);

    /// <summary>Cancels a job: a queued one is cancelled at once; a running one when its handler stops (the returned
    /// record is still running then).</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">NotFound; Conflict when the job has already finished.</exception>
    Task<JobRecord> CancelAsync(string id, string actor, CancellationToken cancellationToken = default);

    /// <summary>The job's states as they change (coalesced: a slow reader sees the latest), ending with its final state;
    /// for a finished job just that.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">NotFound.</exception>
    IAsyncEnumerable<JobRecord> WatchAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The job kinds this server runs.</summary>
    IReadOnlyCollection<string> Kinds { get; }
}
