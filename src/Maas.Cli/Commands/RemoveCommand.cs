using System.CommandLine;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas models rm NAME VERSION [--force]</c>: deletes one version.</summary>
internal static class RemoveCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = NameArgument.Create("name", "Model name");
        var version = new Argument<int>("version") { Description = "Version to delete" };
        IntRange.Require(version, 1, int.MaxValue);
        var force = new Option<bool>("--force") { Description = "Delete even if an alias points at it or it is being served" };
        var server = ServerOption.Create(context);

        var command = new Command("rm", "Delete a model version") { name, version, force, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var model = parseResult.GetValue(name)!;
            var number = parseResult.GetValue(version);
            await client.DeleteVersionAsync(model, number, parseResult.GetValue(force), cancellationToken).ConfigureAwait(false);
            context.Out.MarkupLineInterpolated($"[green]Deleted {model}:{number}[/]");
        }));
        return command;
    }
}
