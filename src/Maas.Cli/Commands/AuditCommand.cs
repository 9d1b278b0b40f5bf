using System.CommandLine;
using System.Text.Json;
using Maas.Cli.Client;
using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas audit</c>: who changed what in the registry, newest first as the server orders it.</summary>
internal static class AuditCommand
{
    public const int DefaultLimit = 50;

    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = new Option<string?>("--model") { Description = "Only entries about this model", HelpName = "NAME" };
        var limit = new Option<int>("--limit") { Description = "Most entries to show", HelpName = "N", DefaultValueFactory = _ => DefaultLimit };
        IntRange.Require(limit, 1, int.MaxValue);
        var server = ServerOption.Create(context);

        var command = new Command("audit", "Show the registry's audit log") { model, limit, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var entries = await client.GetAuditAsync(parseResult.GetValue(model), parseResult.GetValue(limit), cancellationToken).ConfigureAwait(false);
            if (entries.Count == 0)
            {
                context.Out.WriteLine("No audit entries.");
                return;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("At").AddColumn("Actor").AddColumn("Action").AddColumn("Model").AddColumn("Detail");
            foreach (var entry in entries)
            {
                table.AddRow(
                    new Text(Timestamps.Format(entry.At)),
                    new Text(entry.Actor ?? "-"),
                    new Text(entry.Action),
                    new Text(ModelText(entry)),
                    new Text(DetailText(entry.Detail)));
            }

            context.Out.Write(table);
        }));
        return command;
    }

    private static string ModelText(AuditEntry entry) =>
        entry.Model is null ? "-" : entry.Version is null ? entry.Model : $"{entry.Model}:{entry.Version}";

    private static string DetailText(JsonElement? detail) => detail switch
    {
        null => "-",
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "-",
        { ValueKind: JsonValueKind.String } d => string.IsNullOrWhiteSpace(d.GetString()) ? "-" : d.GetString()!,
        { } d => d.GetRawText(),
    };
}
