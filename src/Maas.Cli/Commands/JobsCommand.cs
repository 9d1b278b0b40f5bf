using System.CommandLine;
using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas jobs list|show|cancel</c>: the server's jobs (quantization and, later, other long-running work).</summary>
internal static class JobsCommand
{
    public const int DefaultLimit = 20;

    private static readonly string[] States = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"];

    public static Command Create(CliContext context) => new("jobs", "List, show, follow and cancel the server's jobs")
    {
        List(context),
        Show(context),
        Cancel(context),
    };

    private static Command List(CliContext context)
    {
        var state = new Option<string?>("--state") { Description = "Only jobs in this state", HelpName = "STATE" };
        state.AcceptOnlyFromAmong(States);
        var kind = new Option<string?>("--kind") { Description = "Only jobs of this kind (e.g. quantize)", HelpName = "KIND" };
        var limit = new Option<int>("--limit") { Description = "Most jobs to show", HelpName = "N", DefaultValueFactory = _ => DefaultLimit };
        IntRange.Require(limit, 1, 1000);
        var server = ServerOption.Create(context);
        var command = new Command("list", "List jobs, newest first") { state, kind, limit, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var jobs = await client.ListJobsAsync(parseResult.GetValue(state), parseResult.GetValue(kind), parseResult.GetValue(limit), cancellationToken).ConfigureAwait(false);
            if (jobs.Count == 0)
            {
                context.Out.WriteLine("No jobs.");
                return;
            }

            context.Out.Write(JobTable.Create(jobs, context.Out.Profile.Width));
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var follow = new Option<bool>("--follow") { Description = "Follow a queued or running job to its end, like 'maas quantize'" };
        var server = ServerOption.Create(context);
        var command = new Command("show", "Show a job: state, progress, parameters, result or error") { id, follow, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var job = await client.GetJobAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(follow) && !job.IsFinal)
            {
                await QuantizeCommand.FollowAsync(context, client, job, $"{job.Kind} {JobView.Subject(job)}", cancellationToken).ConfigureAwait(false);
                return;
            }

            JobView.Write(context.Out, job);
        }));
        return command;
    }

    private static Command Cancel(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var server = ServerOption.Create(context);
        var command = new Command("cancel", "Cancel a queued or running job") { id, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var job = await client.CancelJobAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            context.Out.WriteLine(job.IsFinal
                ? $"Cancelled job {job.Id}."
                : $"Cancel requested: job {job.Id} is {job.State} and stops at its next check.");
        }));
        return command;
    }
}
