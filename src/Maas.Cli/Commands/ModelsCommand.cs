using System.CommandLine;

namespace Maas.Cli.Commands;

/// <summary><c>maas models ...</c>: the registry commands.</summary>
internal static class ModelsCommand
{
    public static Command Create(CliContext context) => new("models", "Manage models in the registry")
    {
        PushCommand.Create(context),
        PullCommand.Create(context),
        ListCommand.Create(context),
        ShowCommand.Create(context),
        LineageCommand.Create(context),
        AliasCommand.Create(context),
        RemoveCommand.Create(context),
        DeployCommand.Create(context),
    };
}
