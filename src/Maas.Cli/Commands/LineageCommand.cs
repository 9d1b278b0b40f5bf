using System.CommandLine;
using Maas.Cli.Output;

namespace Maas.Cli.Commands;

/// <summary><c>maas models lineage NAME</c>: each version with the versions it was derived from, as a tree.</summary>
internal static class LineageCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = NameArgument.Create("name", "Model name");
        var server = ServerOption.Create(context);
        var command = new Command("lineage", "Show where each version came from: parents (with roles), transform, parameters, job") { name, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
            LineageTreeView.Write(context.Out, await client.GetLineageAsync(parseResult.GetValue(name)!, cancellationToken).ConfigureAwait(false))));
        return command;
    }
}
