using System.CommandLine;
using Maas.Cli.Output;

namespace Maas.Cli.Commands;

/// <summary><c>maas models show NAME</c>: the model, its aliases and every version's signature and files.</summary>
internal static class ShowCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = NameArgument.Create("name", "Model name");
        var server = ServerOption.Create(context);
        var command = new Command("show", "Show a model's aliases and versions") { name, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var model = await client.GetModelAsync(parseResult.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            ModelDetailsView.Write(context.Out, model);
        }));
        return command;
    }
}
