using System.CommandLine;
using System.Globalization;
using Maas.Cli.Output;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas keys create|list|revoke</c>: the server's API keys (admin only).</summary>
internal static class KeysCommand
{
    private static readonly string[] Roles = ["admin", "publisher", "inference", "viewer"];

    public static Command Create(CliContext context) => new("keys", $"Create, list and revoke API keys; re-encrypt stored artifacts with the active storage key (needs an admin key in {ApiAction.ApiKeyVariable} unless the server runs on loopback without keys)")
    {
        CreateKey(context),
        List(context),
        Revoke(context),
        RotateStorageCommand.Create(context),
    };

    private static Command CreateKey(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Display name (also the audit actor)", HelpName = "NAME", Required = true };
        var role = new Option<string>("--role") { Description = "admin, publisher, inference or viewer", HelpName = "ROLE", Required = true };
        role.AcceptOnlyFromAmong(Roles);
        var models = new Option<string[]>("--models")
        {
            Description = "Model-name patterns the key is limited to ('*' wildcard); none = every model",
            HelpName = "PATTERN",
            AllowMultipleArgumentsPerToken = true,
        };
        var expires = new Option<string?>("--expires") { Description = "Expiry: a span from now (30d, 12h) or an ISO 8601 time", HelpName = "WHEN" };
        var rps = new Option<double?>("--rps") { Description = "Requests per second for this key", HelpName = "X" };
        var tpm = new Option<int?>("--tpm") { Description = "Generated tokens per minute for this key", HelpName = "N" };
        var server = ServerOption.Create(context);
        var command = new Command("create", "Create a key; its secret is printed once and never again") { name, role, models, expires, rps, tpm, server };
        command.SetAction((parseResult, cancellationToken) =>
        {
            DateTimeOffset? expiresAt = null;
            if (parseResult.GetValue(expires) is { } text)
            {
                if (!TimeArgument.TryParse(text, DateTimeOffset.UtcNow, forward: true, out var at))
                {
                    return Task.FromResult(ApiAction.Fail(context, $"--expires: '{text}' is neither a span (30d, 12h) nor an ISO 8601 time."));
                }

                expiresAt = at;
            }

            return ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
            {
                var key = await client.CreateKeyAsync(
                    parseResult.GetValue(name)!,
                    parseResult.GetValue(role)!,
                    parseResult.GetValue(models) ?? [],
                    expiresAt,
                    parseResult.GetValue(rps),
                    parseResult.GetValue(tpm),
                    cancellationToken).ConfigureAwait(false);
                context.Error.MarkupLineInterpolated($"Created key [bold]{key.Id}[/] ({key.Name}, {key.Role}{Scope(key.Models)}). Store it now: it is not shown again.");

                // The key alone on stdout, so `KEY=$(maas keys create ...)` captures exactly it.
                context.Out.WriteLine(key.Key ?? string.Empty);
            });
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var server = ServerOption.Create(context);
        var command = new Command("list", "List keys (never their secrets)") { server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var keys = await client.ListKeysAsync(cancellationToken).ConfigureAwait(false);
            if (keys.Count == 0)
            {
                context.Out.WriteLine("No keys.");
                return;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("Id").AddColumn("Name").AddColumn("Role").AddColumn("Models").AddColumn("State")
                .AddColumn("Created").AddColumn("Expires").AddColumn("Last used").AddColumn("Limits");
            foreach (var key in keys)
            {
                table.AddRow(
                    new Text(key.Id),
                    new Text(key.Name),
                    new Text(key.Role),
                    new Text(key.Models.Count == 0 ? "*" : string.Join(" ", key.Models)),
                    new Text(key.State ?? "-"),
                    new Text(Timestamps.Format(key.CreatedAt)),
                    new Text(key.ExpiresAt is { } e ? Timestamps.Format(e) : "never"),
                    new Text(key.LastUsedAt is { } u ? Timestamps.Format(u) : "-"),
                    new Text(Limits(key.RequestsPerSecond, key.TokensPerMinute)));
            }

            context.Out.Write(table);
        }));
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "Key id (as 'maas keys list' shows it)" };
        var server = ServerOption.Create(context);
        var command = new Command("revoke", "Revoke a key; the server refuses it from the next request on") { id, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var key = await client.RevokeKeyAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            context.Out.MarkupLineInterpolated($"Revoked key [bold]{key.Id}[/] ({key.Name}).");
        }));
        return command;
    }

    private static string Scope(IReadOnlyList<string> models) => models.Count == 0 ? ", every model" : ", models " + string.Join(" ", models);

    private static string Limits(double? rps, int? tpm) =>
        rps is null && tpm is null
            ? "default"
            : string.Join(", ", new[]
            {
                rps is { } r ? r.ToString(CultureInfo.InvariantCulture) + " req/s" : null,
                tpm is { } t ? t.ToString(CultureInfo.InvariantCulture) + " tok/min" : null,
            }.Where(s => s is not null));
}
