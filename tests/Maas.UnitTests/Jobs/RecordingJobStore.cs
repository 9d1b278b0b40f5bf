using System.Threading.Channels;
using Maas.Registry.Abstractions;

namespace Maas.UnitTests.Jobs;

/// <summary>A job store that passes everything to the real one and reports each progress write on a channel.</summary>
internal sealed class RecordingJobStore(IJobStore inner) : IJobStore
{
    public Channel<(double Progress, string? Stage)> ProgressWrites { get; } = Channel.CreateUnbounded<(double, string?)>();

    public Task CreateJobAsync(JobRecord job, CancellationToken cancellationToken = default) => inner.CreateJobAsync(job, cancellationToken);

    public Task<JobRecord?> GetJobAsync(string id, CancellationToken cancellationToken = default) => inner.GetJobAsync(id, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(JobState? state, string? kind, int limit, CancellationToken cancellationToken = default) =>
        inner.ListJobsAsync(state, kind, limit, cancellationToken);

    public Task<bool> StartJobAsync(string id, CancellationToken cancellationToken = default) => inner.StartJobAsync(id, cancellationToken);

    public async Task UpdateJobProgressAsync(string id, double progress, string? stage, CancellationToken cancellationToken = default)
    {
        await inner.UpdateJobProgressAsync(id, progress, stage, cancellationToken);
        ProgressWrites.Writer.TryWrite((progress, stage));
    }

    public Task<JobRecord?> FinishJobAsync(string id, JobCompletion completion, string actor, IReadOnlyCollection<JobState> from, CancellationToken cancellationToken = default) =>
        inner.FinishJobAsync(id, completion, actor, from, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> RecoverJobsAsync(string reason, CancellationToken cancellationToken = default) =>
        inner.RecoverJobsAsync(reason, cancellationToken);

    public Task<bool> ClaimJobAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        inner.ClaimJobAsync(id, owner, leaseUntil, cancellationToken);

    public Task<IReadOnlyList<JobLeaseRenewal>> RenewLeasesAsync(string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        inner.RenewLeasesAsync(owner, leaseUntil, cancellationToken);

    public Task<bool> RequestCancelAsync(string id, string actor, CancellationToken cancellationToken = default) =>
        inner.RequestCancelAsync(id, actor, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> ExpireLeasesAsync(string reason, DateTimeOffset now, string? owner, CancellationToken cancellationToken = default) =>
        inner.ExpireLeasesAsync(reason, now, owner, cancellationToken);
}
