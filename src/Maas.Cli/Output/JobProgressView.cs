using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>Follows a job to its end: a live progress bar on an interactive terminal, a line per stage (and per tenth
/// done) elsewhere, so logs stay readable.</summary>
internal static class JobProgressView
{
    public static async Task<JobInfo> FollowAsync(IAnsiConsole console, string description, IAsyncEnumerable<JobInfo> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(events);
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            return await PlainAsync(console, events, cancellationToken).ConfigureAwait(false);
        }

        JobInfo? last = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: 100);
                await foreach (var job in events.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    last = job;
                    task.Value = job.Progress * 100;
                    task.Description = Markup.Escape(job.Stage is { Length: > 0 } stage ? $"{description}: {stage}" : $"{description} ({job.State})");
                }

                if (last is { Succeeded: true })
                {
                    task.Value = 100;
                }

                task.StopTask();
            }).ConfigureAwait(false);
        return last ?? throw new InvalidOperationException("The job's event stream was empty.");
    }

    private static async Task<JobInfo> PlainAsync(IAnsiConsole console, IAsyncEnumerable<JobInfo> events, CancellationToken cancellationToken)
    {
        JobInfo? last = null;
        string? stage = null;
        var tenth = -1;
        await foreach (var job in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            last = job;
            var nowTenth = (int)Math.Floor(job.Progress * 10);
            if (job.IsFinal || (job.Stage == stage && nowTenth == tenth))
            {
                continue;
            }

            (stage, tenth) = (job.Stage, nowTenth);
            console.WriteLine($"[{JobView.Percent(job.Progress),4}] {job.Stage ?? job.State}");
        }

        return last ?? throw new InvalidOperationException("The job's event stream was empty.");
    }
}
