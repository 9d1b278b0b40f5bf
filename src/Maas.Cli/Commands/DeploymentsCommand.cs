using System.CommandLine;
using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas deployments</c>: the versions the server holds, with state, memory, load and last error.</summary>
internal static class DeploymentsCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var server = ServerOption.Create(context);
        var command = new Command("deployments", "List the versions the server has loaded, is loading or failed to load") { server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var deployments = await client.GetDeploymentsAsync(cancellationToken).ConfigureAwait(false);
            if (deployments.Count == 0)
            {
                context.Out.WriteLine("Nothing loaded. A version loads on its first request (or at start-up with preload).");
                return;
            }

            DeploymentView.WriteList(context.Out, deployments);
        }));
        return command;
    }
}
