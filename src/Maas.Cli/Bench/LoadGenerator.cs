using System.Diagnostics;

namespace Maas.Cli.Bench;

/// <summary>Drives one level of load: closed loop (N clients, each sending its next request when the last one
/// answered) or open loop (requests sent at Poisson arrival times whatever the server's pace).</summary>
internal sealed class LoadGenerator(IInferSender sender, TimeProvider time)
{
    /// <summary>Below this, an open-loop sender fires now rather than sleep (timers are about 1 ms coarse).</summary>
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);

    private int _nextBody;

    /// <summary>Runs <paramref name="level"/> until <paramref name="duration"/> passes or <paramref name="requests"/>
    /// have been sent, then waits for the answers of those in flight. Returns the elapsed time.</summary>
    public Task<TimeSpan> RunAsync(BenchLevel level, TimeSpan? duration, int? requests, int seed, LevelRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(level);
        return level.Concurrency is { } concurrency
            ? ClosedLoopAsync(concurrency, duration, requests, recorder, cancellationToken)
            : OpenLoopAsync(level.Rate!.Value, duration, requests, seed, recorder, cancellationToken);
    }

    private async Task<TimeSpan> ClosedLoopAsync(int concurrency, TimeSpan? duration, int? requests, LevelRecorder recorder, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var remaining = requests ?? int.MaxValue;
        bool More() => duration is { } d
            ? Stopwatch.GetElapsedTime(started) < d && !cancellationToken.IsCancellationRequested
            : Interlocked.Decrement(ref remaining) >= 0 && !cancellationToken.IsCancellationRequested;

        async Task ClientAsync()
        {
            // In a timed level every client sends at least once, however late the thread pool starts it.
            var first = duration is not null;
            while ((first && !cancellationToken.IsCancellationRequested) || More())
            {
                first = false;
                await SendAsync(recorder, cancellationToken).ConfigureAwait(false);
            }
        }

        var clients = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            clients[i] = Task.Run(ClientAsync, cancellationToken);
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    private async Task<TimeSpan> OpenLoopAsync(double rate, TimeSpan? duration, int? requests, int seed, LevelRecorder recorder, CancellationToken cancellationToken)
    {
        var schedule = new PoissonSchedule(rate, seed);
        var inFlight = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = schedule.Next();
            if ((duration is { } d && due >= d) || (requests is { } n && inFlight.Count >= n))
            {
                break;
            }

            var wait = due - Stopwatch.GetElapsedTime(started);
            if (wait >= MinimumSleep)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            // Not awaited: an open loop keeps sending on schedule however slowly the server answers.
            inFlight.Add(SendAsync(recorder, cancellationToken));
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    private Task SendAsync(LevelRecorder recorder, CancellationToken cancellationToken)
    {
        var index = (int)((uint)Interlocked.Increment(ref _nextBody) % (uint)sender.Variants);
        return sender.SendAsync(index, recorder, cancellationToken);
    }
}
