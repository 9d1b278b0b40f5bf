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

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("Name")
                .AddColumn(new TableColumn("Latest").RightAligned())
                .AddColumn(new TableColumn("Versions").RightAligned())
                .AddColumn("Aliases")
                .AddColumn("Description")
                .AddColumn("Created");
            foreach (var model in models.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                table.AddRow(
                    new Text(model.Name),
                    new Text(model.LatestVersion?.ToString() ?? "-"),
                    new Text(model.VersionCount.ToString()),
                    new Text(model.Aliases.Count == 0 ? "-" : string.Join(", ", model.Aliases.OrderBy(a => a.Key).Select(a => $"{a.Key} → {a.Value}"))),
                    new Text(string.IsNullOrWhiteSpace(model.Description) ? "-" : model.Description),
                    new Text(Timestamps.Format(model.CreatedAt)));
            }

            context.Out.Write(table);
        }));
        return command;
    }
}
