using System.CommandLine;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas keys rotate-storage</c>: re-encrypts every stored artifact with the server's active storage key,
/// as a job followed with a progress bar; Ctrl+C cancels it (blobs done so far stay done, the rest keep their old key).</summary>
internal static class RotateStorageCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var detach = new Option<bool>("--detach") { Description = "Print the job id and return instead of following the job" };
        var server = ServerOption.Create(context);
        var command = new Command(
            "rotate-storage",
            "Re-encrypt every stored artifact with the active storage key (Maas:Registry:Encryption:ActiveKeyId); old keys can be removed afterwards")
        {
            detach, server,
        };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var job = await client.RotateStorageAsync(cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(detach))
            {
                context.Out.WriteLine(job.Id);
                return;
            }

            context.Error.WriteLine($"Job {job.Id}: rotate-storage");
            await QuantizeCommand.FollowAsync(context, client, job, "rotate-storage", cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }
}
