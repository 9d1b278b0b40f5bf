using Maas.Registry.Abstractions;
using Microsoft.Extensions.Logging;

namespace Maas.Jobs;

/// <summary>Copies a running job's progress to the store, at most once per interval and only when the stage changed or
/// progress moved by at least 1%, so a handler that reports thousands of times costs a few writes.</summary>
internal sealed class JobProgressWriter
{
    private const double MinStep = 0.01;

    private readonly IJobStore _store;
    private readonly LiveJob _job;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly double _initialProgress;
    private readonly string? _initialStage;
    private Task? _loop;

    public JobProgressWriter(IJobStore store, LiveJob job, TimeSpan interval, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _job = job;
        _interval = interval;
        _time = timeProvider;
        _logger = logger;

        // What the store holds now, taken before the handler can report anything.
        (_initialProgress, _initialStage) = (job.Snapshot.Progress, job.Snapshot.Stage);
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var writtenProgress = _initialProgress;
        var writtenStage = _initialStage;
        DateTimeOffset? lastWrite = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var changed = _job.Changed;
            var snapshot = _job.Snapshot;
            var due = snapshot.Stage != writtenStage || Math.Abs(snapshot.Progress - writtenProgress) >= MinStep;
            if (!due)
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var now = _time.GetUtcNow();
            if (lastWrite is { } last && now - last < _interval)
            {
                // The clock is read again once the timer exists: time that passed in between (a fake clock stepped by a
                // test, or a busy machine) must not be waited for twice.
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(_interval - (now - last), _time, timer.Token);
                if (_time.GetUtcNow() - last < _interval)
                {
                    await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                await timer.CancelAsync().ConfigureAwait(false);
                continue;
            }

            try
            {
                await _store.UpdateJobProgressAsync(snapshot.Id, snapshot.Progress, snapshot.Stage, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                JobsLog.ProgressWriteFailed(_logger, e, snapshot.Id);
            }

            (writtenProgress, writtenStage, lastWrite) = (snapshot.Progress, snapshot.Stage, _time.GetUtcNow());
        }
    }
}
