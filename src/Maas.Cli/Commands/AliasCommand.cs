using System.CommandLine;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas models alias NAME ALIAS VERSION</c> points an alias; <c>... ALIAS --remove</c> deletes it.</summary>
/// <remarks>One command with <c>--remove</c> rather than a separate <c>unalias</c>: both act on the same pair, and help shows them together.</remarks>
internal static class AliasCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = NameArgument.Create("name", "Model name");
        var alias = NameArgument.Create("alias", "Alias, e.g. production");
        var version = new Argument<int?>("version") { Description = "Version the alias should point at", Arity = ArgumentArity.ZeroOrOne };
        IntRange.Require(version, 1, int.MaxValue);
        var remove = new Option<bool>("--remove") { Description = "Delete the alias instead of pointing it" };
        var server = ServerOption.Create(context);

        var command = new Command("alias", "Point an alias at a version, or remove it with --remove") { name, alias, version, remove, server };
        command.Validators.Add(result =>
        {
            // Presence by tokens, not values: a VERSION that is not a number is already reported as such.
            var hasVersion = result.GetResult(version) is { Tokens.Count: > 0 };
            var removing = result.GetResult(remove) is not null;
            if (hasVersion == removing)
            {
                result.AddError("Give either a VERSION to point the alias at, or --remove.");
            }
        });
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var model = parseResult.GetValue(name)!;
            var aliasName = parseResult.GetValue(alias)!;
            if (parseResult.GetValue(remove))
            {
                await client.RemoveAliasAsync(model, aliasName, cancellationToken).ConfigureAwait(false);
                context.Out.MarkupLineInterpolated($"[green]Removed alias {model}@{aliasName}[/]");
                return;
            }

            var target = parseResult.GetValue(version)!.Value;
            await client.SetAliasAsync(model, aliasName, target, cancellationToken).ConfigureAwait(false);
            context.Out.MarkupLineInterpolated($"[green]{model}@{aliasName} → {model}:{target}[/]");
        }));
        return command;
    }
}
