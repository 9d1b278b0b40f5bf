using System.Data.Common;
using System.Text.Json;
using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>Statements over the <c>jobs</c> table.</summary>
internal static class JobSql
{
    private const string Columns =
        "id, kind, parameters, state, progress, stage, actor, created_at, started_at, finished_at, result_model, result_version, summary, error, owner";

    public static Task<int> InsertAsync(DbSession session, JobRecord job, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            $"INSERT INTO jobs ({Columns}) VALUES (@id, @kind, @parameters, @state, @progress, @stage, @actor, @created, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
            cancellationToken,
            ("@id", job.Id),
            ("@kind", job.Kind),
            ("@parameters", job.Parameters.GetRawText()),
            ("@state", job.State.ToName()),
            ("@progress", job.Progress),
            ("@stage", job.Stage),
            ("@actor", job.Actor),
            ("@created", DbValues.Timestamp(job.CreatedAt)));

    public static async Task<JobRecord?> FindAsync(DbSession session, string id, CancellationToken cancellationToken) =>
        (await session.QueryAsync($"SELECT {Columns} FROM jobs WHERE id = @id", Read, cancellationToken, ("@id", id)).ConfigureAwait(false))
            .SingleOrDefault();

    public static Task<List<JobRecord>> ListAsync(DbSession session, JobState? state, string? kind, int limit, CancellationToken cancellationToken) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM jobs WHERE (CAST(@state AS TEXT) IS NULL OR state = @state) AND (CAST(@kind AS TEXT) IS NULL OR kind = @kind) " +
            "ORDER BY created_at DESC, id DESC LIMIT @limit",
            Read,
            cancellationToken,
            ("@state", state?.ToName()),
            ("@kind", kind),
            ("@limit", limit));

    public static Task<List<JobRecord>> UnfinishedAsync(DbSession session, CancellationToken cancellationToken) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM jobs WHERE state IN (@queued, @running) ORDER BY created_at, id",
            Read,
            cancellationToken,
            ("@queued", JobState.Queued.ToName()),
            ("@running", JobState.Running.ToName()));

    public static Task<int> StartAsync(DbSession session, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE jobs SET state = @running, started_at = @at WHERE id = @id AND state = @queued",
            cancellationToken,
            ("@id", id),
            ("@at", DbValues.Timestamp(at)),
            ("@running", JobState.Running.ToName()),
            ("@queued", JobState.Queued.ToName()));

    public static Task<int> ClaimAsync(DbSession session, string id, string owner, DateTimeOffset at, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE jobs SET state = @running, started_at = @at, owner = @owner, lease_until = @until WHERE id = @id AND state = @queued",
            cancellationToken,
            ("@id", id),
            ("@at", DbValues.Timestamp(at)),
            ("@owner", owner),
            ("@until", DbValues.Timestamp(leaseUntil)),
            ("@running", JobState.Running.ToName()),
            ("@queued", JobState.Queued.ToName()));

    public static async Task<List<JobLeaseRenewal>> RenewAsync(DbSession session, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(
            "UPDATE jobs SET lease_until = @until WHERE owner = @owner AND state = @running",
            cancellationToken,
            ("@owner", owner),
            ("@until", DbValues.Timestamp(leaseUntil)),
            ("@running", JobState.Running.ToName())).ConfigureAwait(false);
        return await session.QueryAsync(
            "SELECT id, cancel_requested_by FROM jobs WHERE owner = @owner AND state = @running",
            r => new JobLeaseRenewal(r.GetString(0), DbValues.ReadNullableString(r, 1)),
            cancellationToken,
            ("@owner", owner),
            ("@running", JobState.Running.ToName())).ConfigureAwait(false);
    }

    public static Task<int> RequestCancelAsync(DbSession session, string id, string actor, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE jobs SET cancel_requested_by = COALESCE(cancel_requested_by, @actor) WHERE id = @id AND state = @running",
            cancellationToken,
            ("@id", id),
            ("@actor", actor),
            ("@running", JobState.Running.ToName()));

    /// <summary>Running jobs whose lease ran out before <paramref name="now"/> or was never taken, or owned by <paramref name="owner"/>.</summary>
    public static Task<List<JobRecord>> ExpiredAsync(DbSession session, DateTimeOffset now, string? owner, CancellationToken cancellationToken) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM jobs WHERE state = @running AND (lease_until IS NULL OR lease_until < @now OR owner = @owner) ORDER BY created_at, id",
            Read,
            cancellationToken,
            ("@running", JobState.Running.ToName()),
            ("@now", DbValues.Timestamp(now)),
            ("@owner", owner));

    public static Task<int> ProgressAsync(DbSession session, string id, double progress, string? stage, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE jobs SET progress = @progress, stage = @stage WHERE id = @id AND state = @running",
            cancellationToken,
            ("@id", id),
            ("@progress", progress),
            ("@stage", stage),
            ("@running", JobState.Running.ToName()));

    /// <summary>Moves the job to its final state only when it is in <paramref name="from"/>; returns rows changed (0 or 1).</summary>
    public static Task<int> FinishAsync(
        DbSession session, string id, JobCompletion completion, DateTimeOffset at, IReadOnlyCollection<JobState> from, CancellationToken cancellationToken)
    {
        var names = from.Select((s, i) => ($"@from{i}", (object?)s.ToName())).ToList();
        var parameters = new List<(string, object?)>
        {
            ("@id", id),
            ("@state", completion.State.ToName()),
            ("@at", DbValues.Timestamp(at)),
            ("@model", completion.ResultModel),
            ("@version", completion.ResultVersion),
            ("@summary", completion.Summary),
            ("@error", completion.Error),
            ("@succeeded", JobState.Succeeded.ToName()),
        };
        parameters.AddRange(names);
        return session.ExecuteAsync(
            "UPDATE jobs SET state = @state, finished_at = @at, result_model = @model, result_version = @version, summary = @summary, error = @error, " +
            "progress = CASE WHEN @state = @succeeded THEN 1.0 ELSE progress END " +
            $"WHERE id = @id AND state IN ({string.Join(", ", names.Select(n => n.Item1))})",
            cancellationToken,
            [.. parameters]);
    }

    private static JobRecord Read(DbDataReader r)
    {
        using var parameters = JsonDocument.Parse(r.GetString(2));
        return new JobRecord
        {
            Id = r.GetString(0),
            Kind = r.GetString(1),
            Parameters = parameters.RootElement.Clone(),
            State = JobStates.TryParse(r.GetString(3), out var state) ? state : throw new InvalidDataException($"Job {r.GetString(0)} has unknown state '{r.GetString(3)}'."),
            Progress = r.GetDouble(4),
            Stage = DbValues.ReadNullableString(r, 5),
            Actor = r.GetString(6),
            CreatedAt = DbValues.ReadTimestamp(r, 7),
            StartedAt = r.IsDBNull(8) ? null : DbValues.ReadTimestamp(r, 8),
            FinishedAt = r.IsDBNull(9) ? null : DbValues.ReadTimestamp(r, 9),
            ResultModel = DbValues.ReadNullableString(r, 10),
            ResultVersion = DbValues.ReadNullableInt(r, 11),
            Summary = DbValues.ReadNullableString(r, 12),
            Error = DbValues.ReadNullableString(r, 13),
            Owner = DbValues.ReadNullableString(r, 14),
        };
    }
}
