using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Maas.Cli.Bench;

/// <summary>Shows each level as a live progress line on an interactive terminal, or one plain line per finished
/// level elsewhere (logs, CI, pipes).</summary>
internal sealed class LiveProgress : IBenchObserver
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    private readonly IAnsiConsole _console;
    private readonly Lock _lock = new();
    private ProgressContext? _context;
    private Current? _current;

    private LiveProgress(IAnsiConsole console) => _console = console;

    /// <summary>Runs <paramref name="body"/> with progress shown on <paramref name="console"/>.</summary>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, Func<IBenchObserver, Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        var progress = new LiveProgress(console);
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            return await body(progress).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                progress._context = context;
                var run = body(progress);
                while (!run.IsCompleted)
                {
                    progress.Update();
                    await Task.WhenAny(run, Task.Delay(Refresh)).ConfigureAwait(false);
                }

                return await run.ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    public void Started(string label, LevelRecorder recorder, TimeSpan? duration, int? requests)
    {
        lock (_lock)
        {
            var max = duration?.TotalSeconds ?? requests ?? 1;
            var task = _context?.AddTask(Markup.Escape(label), maxValue: Math.Max(max, 1e-3));
            _current = new Current(label, recorder, duration, task, Stopwatch.GetTimestamp());
        }
    }

    public void Finished(string label, LevelResult? result)
    {
        lock (_lock)
        {
            if (_current?.Task is { } task)
            {
                task.Value = task.MaxValue;
                task.StopTask();
            }

            _current = null;
        }

        if (result is not null && _context is null)
        {
            _console.WriteLine(Line(label, result.Succeeded + result.Failed, result.Failed, result.Throughput));
        }
    }

    private void Update()
    {
        lock (_lock)
        {
            if (_current is not { Task: { } task } current)
            {
                return;
            }

            var elapsed = Stopwatch.GetElapsedTime(current.Started);
            var succeeded = current.Recorder.Succeeded;
            var failed = current.Recorder.Failed;
            task.Value = current.Duration is null ? succeeded + failed : Math.Min(elapsed.TotalSeconds, task.MaxValue);
            task.Description = Markup.Escape(Line(current.Label, succeeded + failed, failed, succeeded / Math.Max(elapsed.TotalSeconds, 1e-3)));
        }
    }

    private static string Line(string label, int requests, int failed, double throughput) => string.Create(
        CultureInfo.InvariantCulture,
        $"{label}: {requests} requests, {throughput:0.0} req/s, {failed} errors");

    private sealed record Current(string Label, LevelRecorder Recorder, TimeSpan? Duration, ProgressTask? Task, long Started);
}
