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
/// change is a conditional store update, so a cancel racing a start has one winner. At start-up, jobs a stopped process
/// left queued or running are settled by the store (interrupted, or succeeded when their version was registered) and
/// leftover work folders are removed; at shutdown, running handlers are cancelled and their jobs marked interrupted.
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
    }

    public string WorkDirectory { get; }

    public IReadOnlyCollection<string> Kinds => _handlers.Keys;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var job in await _store.RecoverJobsAsync("the server stopped", cancellationToken).ConfigureAwait(false))
        {
            JobsLog.Recovered(_logger, job.Id, job.Kind, "unfinished", job.State.ToName());
        }

        // Whatever is here belongs to jobs of a stopped process, all settled just above.
        if (Directory.Exists(WorkDirectory))
        {
            foreach (var folder in Directory.EnumerateFileSystemEntries(WorkDirectory))
            {
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

        JobsLog.Ready(_logger, _options.MaxCpuHeavy, _options.MaxOther, _handlers.Count == 0 ? "(none)" : string.Join(", ", _handlers.Keys.Order()), WorkDirectory);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var live in _live.Values.Where(j => j.Snapshot.State == JobState.Queued))
        {
            await FinishAsync(live, JobCompletion.Interrupted("the server stopped before the job started"), live.Request.Actor, FromQueued).ConfigureAwait(false);
        }
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
            await _store.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
            _live[job.Id] = new LiveJob(job, request, handler);
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
        if (_live.TryGetValue(id, out var live))
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
            return await FinishAsync(live, completion, actor, FromQueued).ConfigureAwait(false) ?? live.Snapshot;
        }

        return await _store.FinishJobAsync(id, completion, actor, FromQueued, cancellationToken).ConfigureAwait(false)
            ?? throw MaasException.Conflict($"Job {id} is running in another server process; cancel it there.");
    }

    public async IAsyncEnumerable<JobRecord> WatchAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_live.TryGetValue(id, out var live))
        {
            JobRecord? last = null;
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

                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Finished (or another process's job): the store is all there is; poll it until the job ends.
        var job = await GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw MaasException.NotFound($"Job '{id}' not found.");
        yield return job;
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
                if (_live.TryGetValue(id, out var live))
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
            started = await _store.StartJobAsync(id, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }

        if (!started)
        {
            // Cancelled while queued: the cancel already recorded and published its end.
            _live.TryRemove(id, out _);
            return;
        }

        live.Publish(live.Snapshot with { State = JobState.Running, StartedAt = _time.GetUtcNow() });
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

        await FinishAsync(live, completion, actor, FromRunning).ConfigureAwait(false);
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
