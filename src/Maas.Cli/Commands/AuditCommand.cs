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
        var actor = new Option<string?>("--actor") { Description = "Only entries by this actor (a key name, name#id, anonymous, unauthenticated)", HelpName = "ACTOR" };
        var action = new Option<string?>("--action") { Description = "Only entries of this action (push, alias.set, key.create, auth.failure, ...)", HelpName = "ACTION" };
        var since = new Option<string?>("--since") { Description = "Only entries since a span ago (1h, 7d) or an ISO 8601 time", HelpName = "WHEN" };
        var limit = new Option<int>("--limit") { Description = "Most entries to show", HelpName = "N", DefaultValueFactory = _ => DefaultLimit };
        IntRange.Require(limit, 1, int.MaxValue);
        var server = ServerOption.Create(context);

        var command = new Command("audit", "Show the audit log: registry changes, key changes and authentication failures") { model, actor, action, since, limit, server };
        command.SetAction((parseResult, cancellationToken) =>
        {
            DateTimeOffset? from = null;
            if (parseResult.GetValue(since) is { } text)
            {
                if (!TimeArgument.TryParse(text, DateTimeOffset.UtcNow, forward: false, out var at))
                {
                    return Task.FromResult(ApiAction.Fail(context, $"--since: '{text}' is neither a span (1h, 7d) nor an ISO 8601 time."));
                }

                from = at;
            }

            var filter = new AuditFilter(parseResult.GetValue(model), parseResult.GetValue(actor), parseResult.GetValue(action), from, parseResult.GetValue(limit));
            return ApiAction.RunAsync(context, parseResult.GetValue(server), client => ShowAsync(context, client, filter, cancellationToken));
        });
        return command;
    }

    private static async Task ShowAsync(CliContext context, MaasApiClient client, AuditFilter filter, CancellationToken cancellationToken)
    {
        var entries = await client.GetAuditAsync(filter, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            context.Out.WriteLine("No audit entries.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("At").AddColumn("Actor").AddColumn("Action").AddColumn("Model").AddColumn("Address").AddColumn("Detail");
        foreach (var entry in entries)
        {
            table.AddRow(
                new Text(Timestamps.Format(entry.At)),
                new Text(entry.Actor ?? "-"),
                new Text(entry.Action),
                new Text(ModelText(entry)),
                new Text(entry.Address ?? "-"),
                new Text(DetailText(entry.Detail)));
        }

        context.Out.Write(table);
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
