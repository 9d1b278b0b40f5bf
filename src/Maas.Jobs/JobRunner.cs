using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Maas.Jobs;

/// <summary>Runs jobs in this process: two lanes (CPU-heavy and other) with bounded concurrency, first in, first out.</summary>
/// <remarks>
/// The store is the truth; the in-memory <see cref="LiveJob"/> only adds live progress and cancellation. Every state
/// change is a conditional store update, so a cancel racing a start has one winner, and of several replicas sharing the
/// database exactly one claims a queued job: it becomes its owner, with a lease renewed by a heartbeat. The heartbeat
/// also picks up cancel requests made on other replicas, marks interrupted the running jobs whose owner stopped
/// renewing (it died), and claims queued jobs that no replica runs (submitted to one that stopped, or waiting behind
/// a busy one). At start-up the jobs a previous life of this replica ran are settled (interrupted, or succeeded when
/// their version was registered); at shutdown, running handlers are cancelled and their jobs marked interrupted, and
/// queued jobs stay queued for another replica or the next start.
/// </remarks>
internal sealed class JobRunner : IJobService, IHostedService, IDisposable
{
    private static readonly JobState[] FromQueued = [JobState.Queued];
    private static readonly JobState[] FromRunning = [JobState.Running];

    private readonly IJobStore _store;
    private readonly Dictionary<string, IJobHandler> _handlers;
    private readonly JobsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobRunner> _logger;
    private readonly JobLane _cpuHeavy;
    private readonly JobLane _other;
    private readonly ConcurrentDictionary<string, LiveJob> _live = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _workers = [];
    private const string LeaseLost = "lease-lost";

    public JobRunner(IJobStore store, IEnumerable<IJobHandler> handlers, JobsOptions options, string workDirectory, TimeProvider timeProvider, ILogger<JobRunner> logger)
    {
        _store = store;
        _handlers = handlers.GroupBy(h => h.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        _options = options;
        WorkDirectory = workDirectory;
        _time = timeProvider;
        _logger = logger;
        _cpuHeavy = new JobLane("cpu-heavy", options.MaxCpuHeavy, options.MaxQueued);
        _other = new JobLane("other", options.MaxOther, options.MaxQueued);
        ReplicaId = string.IsNullOrWhiteSpace(options.ReplicaId)
            ? $"{Environment.MachineName}-{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : options.ReplicaId;
    }

    public string WorkDirectory { get; }

    /// <summary>The owner name this runner claims jobs under.</summary>
    public string ReplicaId { get; } = string.Empty;

    public IReadOnlyCollection<string> Kinds => _handlers.Keys;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var job in await _store.ExpireLeasesAsync("the server stopped", _time.GetUtcNow(), ReplicaId, cancellationToken).ConfigureAwait(false))
        {
            JobsLog.Recovered(_logger, job.Id, job.Kind, "unfinished", job.State.ToName());
        }

        // Whatever is here belongs to jobs of a stopped process (settled just above), unless the folder is shared with
        // replicas that are running the job now.
        if (Directory.Exists(WorkDirectory))
        {
            foreach (var folder in Directory.EnumerateFileSystemEntries(WorkDirectory))
            {
                var name = Path.GetFileName(folder);
                if (JobIds.IsPlausible(name)
                    && await _store.GetJobAsync(name, cancellationToken).ConfigureAwait(false) is { State: JobState.Running } running
                    && running.Owner != ReplicaId)
                {
                    continue;
                }

                DeleteWorkDirectory(folder);
            }
        }

        Directory.CreateDirectory(WorkDirectory);
        foreach (var lane in new[] { _cpuHeavy, _other })
        {
            for (var i = 0; i < lane.Concurrency; i++)
            {
                _workers.Add(Task.Run(() => WorkAsync(lane, _stopping.Token), CancellationToken.None));
            }
        }

        _workers.Add(Task.Run(() => HeartbeatLoopAsync(_stopping.Token), CancellationToken.None));

        JobsLog.Ready(_logger, _options.MaxCpuHeavy, _options.MaxOther, _handlers.Count == 0 ? "(none)" : string.Join(", ", _handlers.Keys.Order()), WorkDirectory);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Queued jobs stay queued in the store: another replica's heartbeat, or this one's next start, claims them.
    }

    public async Task<JobRecord> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Kind) || !_handlers.TryGetValue(request.Kind, out var handler))
        {
            throw MaasException.InvalidArgument(
                $"Unknown job kind '{request.Kind}'; this server runs: {(_handlers.Count == 0 ? "none" : string.Join(", ", _handlers.Keys.Order()))}.");
        }

        if (request.Parameters.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("Job parameters must be a JSON object.");
        }

        request = request with { Parameters = request.Parameters.Clone() };
        await handler.ValidateAsync(request, cancellationToken).ConfigureAwait(false);
        var lane = handler.IsCpuHeavy ? _cpuHeavy : _other;
        if (!lane.TryReserve())
        {
            throw new MaasException(MaasErrorKind.TooManyRequests, $"The {lane.Name} job queue is full ({_options.MaxQueued} waiting); try again later.");
        }

        try
        {
            var job = new JobRecord
            {
                Id = JobIds.New(_time),
                Kind = request.Kind,
                Parameters = request.Parameters,
                State = JobState.Queued,
                Actor = request.Actor,
                CreatedAt = _time.GetUtcNow(),
            };
            // Known here before it exists in the store, so this runner's heartbeat never picks it up a second time.
            var live = new LiveJob(job, request, handler);
            _live[job.Id] = live;
            try
            {
                await _store.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _live.TryRemove(new KeyValuePair<string, LiveJob>(job.Id, live));
                throw;
            }

            lane.Enqueue(job.Id);
            JobsLog.Submitted(_logger, job.Id, job.Kind, job.Actor);
            return job;
        }
        catch
        {
            lane.Release();
            throw;
        }
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        // A queued job here may meanwhile run on another replica (the claim decides): the store says which.
        if (_live.TryGetValue(id, out var live) && live.Snapshot.State != JobState.Queued)
        {
            return live.Snapshot;
        }

        return JobIds.IsPlausible(id) ? await _store.GetJobAsync(id, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(JobState? state, string? kind, int limit, CancellationToken cancellationToken = default)
    {
        var stored = await _store.ListJobsAsync(state, kind, limit, cancellationToken).ConfigureAwait(false);

        // Running jobs' stored progress lags by up to the write interval; show what this process knows now.
        return [.. stored.Select(j => _live.TryGetValue(j.Id, out var live) && live.Snapshot.State == j.State ? live.Snapshot : j)];
    }

    public async Task<JobRecord> CancelAsync(string id, string actor, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw MaasException.NotFound($"Job '{id}' not found.");
        if (job.State.IsFinal())
        {
            throw MaasException.Conflict($"Job {id} has already finished ({job.State.ToName()}).");
        }

        var completion = JobCompletion.Cancelled($"cancelled by {actor} before it started");
        if (_live.TryGetValue(id, out var live))
        {
            // The token stops a handler that is running, or starting right now; a queued job ends here at once.
            live.RequestCancel(actor);
            if (await FinishAsync(live, completion, actor, FromQueued).ConfigureAwait(false) is { } cancelled)
            {
                return cancelled;
            }
        }
        else if (await _store.FinishJobAsync(id, completion, actor, FromQueued, cancellationToken).ConfigureAwait(false) is { } cancelled)
        {
            return cancelled;
        }

        // Running, here or on another replica: its owner sees the request at its next heartbeat and stops the handler.
        await _store.RequestCancelAsync(id, actor, cancellationToken).ConfigureAwait(false);
        var current = await _store.GetJobAsync(id, cancellationToken).ConfigureAwait(false) ?? throw MaasException.NotFound($"Job '{id}' not found.");
        return live is not null && live.Snapshot.State == current.State ? live.Snapshot : current;
    }

    public async IAsyncEnumerable<JobRecord> WatchAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        JobRecord? last = null;
        if (_live.TryGetValue(id, out var live))
        {
            while (true)
            {
                var changed = live.Changed;
                var snapshot = live.Snapshot;
                if (!ReferenceEquals(snapshot, last))
                {
                    yield return snapshot;
                    last = snapshot;
                }

                if (snapshot.State.IsFinal())
                {
                    yield break;
                }

                if (!_live.ContainsKey(id))
                {
                    // Another replica claimed it: follow the store from here.
                    break;
                }

                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Finished (or another replica's job): the store is all there is; poll it until the job ends.
        var job = await GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw MaasException.NotFound($"Job '{id}' not found.");
        if (job != last)
        {
            yield return job;
        }

        while (!job.State.IsFinal())
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            var next = await _store.GetJobAsync(id, cancellationToken).ConfigureAwait(false) ?? job;
            if (next != job)
            {
                yield return next;
            }

            job = next;
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task WorkAsync(JobLane lane, CancellationToken stopping)
    {
        try
        {
            await foreach (var id in lane.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                lane.Dequeued();
                if (_live.TryGetValue(id, out var live) && live.TryTake())
                {
                    await RunAsync(live, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(LiveJob live, CancellationToken stopping)
    {
        var id = live.Id;
        bool started;
        try
        {
            started = await _store.ClaimJobAsync(id, ReplicaId, _time.GetUtcNow() + _options.LeaseDuration, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }

        if (!started)
        {
            // Cancelled while queued (the cancel already published its end), or claimed by another replica: local
            // watchers move on to the store.
            if (_live.TryRemove(new KeyValuePair<string, LiveJob>(id, live)) && !live.Snapshot.State.IsFinal()
                && await _store.GetJobAsync(id, CancellationToken.None).ConfigureAwait(false) is { } stored)
            {
                live.Publish(stored);
            }

            return;
        }

        live.Publish(live.Snapshot with { State = JobState.Running, StartedAt = _time.GetUtcNow(), Owner = ReplicaId });
        JobsLog.Started(_logger, id, live.Request.Kind);
        var work = Path.Combine(WorkDirectory, id);
        var writer = new JobProgressWriter(_store, live, _options.ProgressInterval, _time, _logger);
        var actor = live.Request.Actor;
        JobCompletion completion;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, live.CancellationToken))
        {
            try
            {
                Directory.CreateDirectory(work);
                writer.Start();
                var context = new JobContext(id, live.Request, work, live.Report);
                var result = await live.Handler.RunAsync(context, linked.Token).ConfigureAwait(false);
                completion = JobCompletion.Succeeded(result.Model, result.Version, result.Summary);
                JobsLog.Succeeded(_logger, id, live.Request.Kind, result.Summary);
            }
            catch (OperationCanceledException) when (live.CancellationToken.IsCancellationRequested && live.CancelledBy == LeaseLost)
            {
                completion = JobCompletion.Interrupted("this replica lost the job's lease");
                JobsLog.Interrupted(_logger, id, live.Request.Kind, completion.Error!);
            }
            catch (OperationCanceledException) when (live.CancellationToken.IsCancellationRequested)
            {
                actor = live.CancelledBy ?? actor;
                completion = JobCompletion.Cancelled($"cancelled by {actor}");
                JobsLog.Cancelled(_logger, id, live.Request.Kind, actor);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                completion = JobCompletion.Interrupted("the server stopped while the job was running");
                JobsLog.Interrupted(_logger, id, live.Request.Kind, completion.Error!);
            }
            catch (MaasException e) when (e.Kind != MaasErrorKind.Internal)
            {
                completion = JobCompletion.Failed(e.Message);
                JobsLog.Refused(_logger, id, live.Request.Kind, e.Message);
            }
            catch (Exception e)
            {
                completion = JobCompletion.Failed(e.Message);
                JobsLog.Failed(_logger, e, id, live.Request.Kind);
            }
            finally
            {
                await writer.StopAsync().ConfigureAwait(false);
                DeleteWorkDirectory(work);
            }
        }

        if (await FinishAsync(live, completion, actor, FromRunning).ConfigureAwait(false) is null)
        {
            // No longer ours: the lease ran out and another replica settled the job. Watchers get what the store says.
            var stored = await _store.GetJobAsync(id, CancellationToken.None).ConfigureAwait(false);
            live.Publish(stored ?? live.Snapshot with { State = JobState.Interrupted, Error = "the job's lease was lost" });
            _live.TryRemove(id, out _);
        }
    }

    /// <summary>One heartbeat: renews this replica's leases and applies cancel requests from other replicas, settles
    /// jobs whose owner stopped renewing, and claims queued jobs nobody runs.</summary>
    internal async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        // Taken before renewing: every job in it was claimed before the renewal, so one missing from the answer was lost.
        var running = _live.Values.Where(j => j.Snapshot.State == JobState.Running).ToList();
        var now = _time.GetUtcNow();
        var renewed = (await _store.RenewLeasesAsync(ReplicaId, now + _options.LeaseDuration, cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.JobId, StringComparer.Ordinal);
        foreach (var live in running)
        {
            if (!renewed.TryGetValue(live.Id, out var renewal))
            {
                JobsLog.LeaseLost(_logger, live.Id, live.Request.Kind);
                live.RequestCancel(LeaseLost);
            }
            else if (renewal.CancelRequestedBy is { } actor && live.CancelledBy is null)
            {
                live.RequestCancel(actor);
            }
        }

        foreach (var job in await _store.ExpireLeasesAsync("the replica running it stopped", now, null, cancellationToken).ConfigureAwait(false))
        {
            JobsLog.Recovered(_logger, job.Id, job.Kind, "running", job.State.ToName());
        }

        var queued = await _store.ListJobsAsync(JobState.Queued, null, _options.MaxQueued, cancellationToken).ConfigureAwait(false);
        foreach (var job in queued.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal))
        {
            if (_live.ContainsKey(job.Id) || !_handlers.TryGetValue(job.Kind, out var handler))
            {
                continue;
            }

            var lane = handler.IsCpuHeavy ? _cpuHeavy : _other;
            if (!lane.TryReserve())
            {
                continue;
            }

            if (!_live.TryAdd(job.Id, new LiveJob(job, new JobRequest(job.Kind, job.Parameters, job.Actor), handler)))
            {
                lane.Release();
                continue;
            }

            lane.Enqueue(job.Id);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Leases taken now last LeaseDuration; the first renewal (and the first look for orphaned jobs) is due after one interval.
                await Task.Delay(_options.HeartbeatInterval, _time, stopping).ConfigureAwait(false);
                await HeartbeatAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                JobsLog.HeartbeatFailed(_logger, e);
            }
        }
    }

    /// <summary>Records the end in the store, then tells watchers; null when the job was not in <paramref name="from"/>.</summary>
    private async Task<JobRecord?> FinishAsync(LiveJob live, JobCompletion completion, string actor, JobState[] from)
    {
        JobRecord? finished;
        try
        {
            finished = await _store.FinishJobAsync(live.Id, completion, actor, from, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store is unreachable: watchers still learn the outcome; start-up recovery settles the row.
            JobsLog.FinishWriteFailed(_logger, e, live.Id);
            finished = live.Snapshot with
            {
                State = completion.State,
                FinishedAt = _time.GetUtcNow(),
                ResultModel = completion.ResultModel,
                ResultVersion = completion.ResultVersion,
                Summary = completion.Summary,
                Error = completion.Error,
            };
        }

        if (finished is not null)
        {
            live.Publish(finished);
            _live.TryRemove(live.Id, out _);
        }

        return finished;
    }

    private void DeleteWorkDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            JobsLog.WorkDirectoryDeleteFailed(_logger, e, path);
        }
    }
}
