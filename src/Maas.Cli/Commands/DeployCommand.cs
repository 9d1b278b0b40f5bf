using System.CommandLine;
using System.Text.Json.Nodes;
using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas models deploy NAME [--max-batch-size B] ...</c>: changes how a model's versions run; with no
/// option, prints the current settings.</summary>
/// <remarks>Only the options given change; <c>--reset</c> first clears every stored override (back to the server's
/// defaults). The server applies the change at once, reloading a version only when a setting needs it.</remarks>
internal static class DeployCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = NameArgument.Create("name", "Model name");
        var instances = IntOption("--instances", "N", "Engine calls that may run at once (0 = cores / threads)", 0, 1024);
        var threads = IntOption("--threads", "N", "Threads per engine call (0 = adaptive)", 0, 1024);
        var batch = IntOption("--max-batch-size", "B", "Most rows (or sequences) per engine call; 1 turns batching off", 1, 4096);
        var delay = IntOption("--max-queue-delay-ms", "D", "Longest a request waits for others to join its batch", 0, 60_000);
        var queue = IntOption("--max-queue", "N", "Requests that may wait; more get 429", 0, 1_000_000);
        var timeout = IntOption("--timeout-ms", "T", "A request's deadline, queueing included", 1, int.MaxValue);
        var keepAlive = IntOption("--keep-alive-s", "S", "Unload an unpinned version after this long without requests (0 = never)", 0, int.MaxValue);
        var preload = new Option<bool?>("--preload") { Description = "Load the default version at start-up (true|false)", HelpName = "true|false" };
        var reset = new Option<bool>("--reset") { Description = "Clear every stored setting first (back to the server defaults)" };
        var server = ServerOption.Create(context);

        var command = new Command("deploy", "Show or change a model's deployment settings (applied without a restart)")
        {
            name, instances, threads, batch, delay, queue, timeout, keepAlive, preload, reset, server,
        };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var model = parseResult.GetValue(name)!;
            var patch = new JsonObject();
            if (parseResult.GetValue(reset))
            {
                foreach (var field in new[] { "instances", "intra_op_threads", "max_batch_size", "max_queue_delay_ms", "max_queue", "request_timeout_ms", "preload", "keep_alive_ms" })
                {
                    patch[field] = null;
                }
            }

            Set(patch, "instances", parseResult.GetValue(instances));
            Set(patch, "intra_op_threads", parseResult.GetValue(threads));
            Set(patch, "max_batch_size", parseResult.GetValue(batch));
            Set(patch, "max_queue_delay_ms", parseResult.GetValue(delay));
            Set(patch, "max_queue", parseResult.GetValue(queue));
            Set(patch, "request_timeout_ms", parseResult.GetValue(timeout));
            Set(patch, "keep_alive_ms", parseResult.GetValue(keepAlive) is { } seconds ? seconds * 1000L : null);
            if (parseResult.GetValue(preload) is { } flag)
            {
                patch["preload"] = flag;
            }

            if (patch.Count == 0)
            {
                DeploymentView.WriteSettings(context.Out, await client.GetModelDeploymentAsync(model, cancellationToken).ConfigureAwait(false));
                return;
            }

            var stored = await client.SetModelDeploymentAsync(model, patch, cancellationToken).ConfigureAwait(false);
            context.Out.MarkupLineInterpolated($"[green]Deployment settings of {model} updated; the server applies them now.[/]");
            DeploymentView.WriteSettings(context.Out, stored);
        }));
        return command;
    }

    private static Option<int?> IntOption(string name, string helpName, string description, int min, int max)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(result =>
        {
            int? value;
            try
            {
                value = result.GetValueOrDefault<int?>();
            }
            catch (InvalidOperationException)
            {
                return;
            }

            if (value is { } v && (v < min || v > max))
            {
                result.AddError(max == int.MaxValue ? $"{name} must be {min} or more." : $"{name} must be between {min} and {max}.");
            }
        });
        return option;
    }

    private static void Set(JsonObject patch, string field, long? value)
    {
        if (value is { } v)
        {
            patch[field] = v;
        }
    }
}
