using System.Text.Json;
using Maas.Registry.Abstractions;
using Maas.Registry.Metadata;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Jobs;

/// <summary>Job records in the registry's database; every state change is one transaction with its audit record.</summary>
internal sealed class JobStore(ModelRegistry registry, IMetadataDatabase database, TimeProvider timeProvider, ILogger<JobStore> logger) : IJobStore
{
    private const int MaxListLimit = 1000;

    public async Task CreateJobAsync(JobRecord job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.State != JobState.Queued)
        {
            throw new ArgumentException("A new job starts queued.", nameof(job));
        }

        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await JobSql.InsertAsync(session, job, cancellationToken).ConfigureAwait(false);
            await AuditAsync(session, job, job.Actor, RegistryActions.JobSubmit, $"job {job.Id} {job.Kind}", cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<JobRecord?> GetJobAsync(string id, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await JobSql.FindAsync(session, id, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<JobRecord>> ListJobsAsync(JobState? state, string? kind, int limit, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await JobSql.ListAsync(session, state, kind, Math.Clamp(limit, 1, MaxListLimit), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> StartJobAsync(string id, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var changed = await JobSql.StartAsync(session, id, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed == 1;
        }
    }

    public async Task UpdateJobProgressAsync(string id, double progress, string? stage, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await JobSql.ProgressAsync(session, id, Math.Clamp(progress, 0, 1), stage, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<JobRecord?> FinishJobAsync(
        string id, JobCompletion completion, string actor, IReadOnlyCollection<JobState> from, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completion);
        ArgumentNullException.ThrowIfNull(from);
        if (!completion.State.IsFinal() || from.Count == 0 || from.Any(s => s.IsFinal()))
        {
            throw new ArgumentException("A job finishes from queued or running into a final state.", nameof(completion));
        }

        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (await JobSql.FinishAsync(session, id, completion, timeProvider.GetUtcNow(), from, cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }

            var job = await JobSql.FindAsync(session, id, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Job {id} vanished while finishing.");
            var action = completion.State == JobState.Cancelled ? RegistryActions.JobCancel : RegistryActions.JobFinish;
            await AuditAsync(session, job, actor, action, Describe(job), cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return job;
        }
    }

    public async Task<bool> ClaimJobAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var changed = await JobSql.ClaimAsync(session, id, owner, timeProvider.GetUtcNow(), leaseUntil, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed == 1;
        }
    }

    public async Task<IReadOnlyList<JobLeaseRenewal>> RenewLeasesAsync(string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var renewed = await JobSql.RenewAsync(session, owner, leaseUntil, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return renewed;
        }
    }

    public async Task<bool> RequestCancelAsync(string id, string actor, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var changed = await JobSql.RequestCancelAsync(session, id, actor, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed == 1;
        }
    }

    public Task<IReadOnlyList<JobRecord>> ExpireLeasesAsync(string reason, DateTimeOffset now, string? owner, CancellationToken cancellationToken = default) =>
        SettleAsync(reason, session => JobSql.ExpiredAsync(session, now, owner, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<JobRecord>> RecoverJobsAsync(string reason, CancellationToken cancellationToken = default) =>
        SettleAsync(reason, session => JobSql.UnfinishedAsync(session, cancellationToken), cancellationToken);

    private async Task<IReadOnlyList<JobRecord>> SettleAsync(string reason, Func<DbSession, Task<List<JobRecord>>> select, CancellationToken cancellationToken)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var recovered = new List<JobRecord>();
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            foreach (var job in await select(session).ConfigureAwait(false))
            {
                // The handler's push commits the version with the job id in its lineage: if it exists, the job's work
                // is done and only its own final write was lost.
                var version = await RegistryQueries.VersionOfJobAsync(session, job.Id, cancellationToken).ConfigureAwait(false);
                var completion = version is { } v
                    ? JobCompletion.Succeeded(v.Model, v.Version, $"registered {v.Model}:{v.Version} (recovered at start-up)")
                    : JobCompletion.Interrupted($"{reason} while the job was {job.State.ToName()}");
                await JobSql.FinishAsync(session, job.Id, completion, timeProvider.GetUtcNow(), [job.State], cancellationToken).ConfigureAwait(false);
                var finished = await JobSql.FindAsync(session, job.Id, cancellationToken).ConfigureAwait(false) ?? job;
                await AuditAsync(session, finished, "system", RegistryActions.JobFinish, Describe(finished), cancellationToken).ConfigureAwait(false);
                recovered.Add(finished);
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return recovered;
    }

    private static string Describe(JobRecord job) =>
        $"job {job.Id} {job.Kind} {job.State.ToName()}" + job switch
        {
            { ResultModel: { } model, ResultVersion: { } version } => $": {model}:{version}",
            { Error: { } error } => $": {error}",
            _ => string.Empty,
        };

    /// <summary>Audited under the model the job is about (its <c>model</c> parameter) so a model's audit shows its jobs.</summary>
    private async Task AuditAsync(DbSession session, JobRecord job, string actor, string action, string detail, CancellationToken cancellationToken)
    {
        var model = job.Parameters.ValueKind == JsonValueKind.Object
                    && job.Parameters.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()!
            : "-";
        var now = timeProvider.GetUtcNow();
        await RegistryCommands.InsertAuditAsync(session, now, actor, action, model, null, detail, cancellationToken).ConfigureAwait(false);
        RegistryLog.Changed(logger, actor, action, model, detail);
    }
}
