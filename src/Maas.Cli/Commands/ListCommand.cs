using System.CommandLine;
using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas models list</c>: one row per model.</summary>
internal static class ListCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var server = ServerOption.Create(context);
        var command = new Command("list", "List the registered models") { server };
        command.Aliases.Add("ls");
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var models = await client.ListModelsAsync(cancellationToken).ConfigureAwait(false);
            if (models.Count == 0)
            {
                context.Out.WriteLine("No models yet. Add one with: maas models push NAME PATH...");
                return;
            }

            context.Out.Write(ModelListTable.Create(models, context.Out.Profile.Width));
        }));
        return command;
    }
}
