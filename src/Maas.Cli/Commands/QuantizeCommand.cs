using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Maas.Cli.Client;
using Maas.Cli.Output;
using Maas.Core.Models;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas quantize NAME[:V] --method M</c>: runs a <c>quantize</c> job on the server, follows it with a
/// progress bar and prints the new version's report; Ctrl+C cancels the job.</summary>
internal static class QuantizeCommand
{
    public const string JobKind = "quantize";

    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reference = new Argument<string>("model") { Description = "The version to quantize: NAME, NAME:VERSION or NAME@ALIAS", HelpName = "NAME[:V]" };
        var method = new Option<string>("--method") { Description = "dynamic-int8, static-int8, int4, fp16, q8_0, q4_0, q4_k_m, ...", Required = true, HelpName = "M" };
        var alias = new Option<string?>("--alias") { Description = "Point this alias at the new version when the job succeeds", HelpName = "A" };
        var options = new Option<string[]>("--option") { Description = "A method option (repeatable); values are JSON when they parse, else text", HelpName = "KEY=VALUE" };
        var calibration = new Option<FileInfo?>("--calibration") { Description = "JSON Lines file of inputs (one /predict or v2 input per line), sent with the job", HelpName = "FILE" };
        var detach = new Option<bool>("--detach") { Description = "Print the job id and return instead of following the job" };
        var server = ServerOption.Create(context);
        alias.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && !ModelNames.IsValid(value))
            {
                result.AddError($"alias '{value}' is not valid: {ModelNames.Rule}");
            }
        });

        var command = new Command("quantize", "Quantize a model version on the server as a job; the result is a new version with lineage and a report")
        {
            reference, method, alias, options, calibration, detach, server,
        };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var parameters = await BuildParametersAsync(
                client,
                parseResult.GetValue(reference)!,
                parseResult.GetValue(method)!,
                parseResult.GetValue(alias),
                parseResult.GetValue(options) ?? [],
                parseResult.GetValue(calibration),
                cancellationToken).ConfigureAwait(false);
            var job = await client.SubmitJobAsync(JobKind, parameters, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(detach))
            {
                context.Out.WriteLine(job.Id);
                return;
            }

            var what = $"{JobView.Subject(job)} {parameters["method"]}";
            context.Error.WriteLine($"Job {job.Id}: quantize {what}");
            await FollowAsync(context, client, job, $"quantize {what}", cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>Follows a job to its end and prints the version it made with its report; a job that does not succeed
    /// (or Ctrl+C, which cancels it) is an error.</summary>
    public static async Task FollowAsync(CliContext context, MaasApiClient client, JobInfo job, string description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(job);
        JobInfo final;
        try
        {
            final = await JobProgressView.FollowAsync(context.Error, description, client.WatchJobAsync(job.Id, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var cancelled = await client.CancelJobAsync(job.Id, CancellationToken.None).ConfigureAwait(false);
            throw new CliException(cancelled.IsFinal
                ? $"interrupted: job {job.Id} cancelled"
                : $"interrupted: cancel of job {job.Id} requested (it stops at its next check; see 'maas jobs show {job.Id}')");
        }

        if (!final.Succeeded)
        {
            throw new CliException($"job {final.Id} {final.State}: {final.Error ?? "no reason given"}");
        }

        await WriteResultAsync(context, client, final, cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteResultAsync(CliContext context, MaasApiClient client, JobInfo job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(job);
        if (job.ResultModel is not { } model || job.ResultVersion is not { } number)
        {
            context.Out.WriteLine($"Job {job.Id} succeeded: {job.Summary ?? "-"}");
            return;
        }

        var details = await client.GetModelAsync(model, cancellationToken).ConfigureAwait(false);
        var version = details.Versions.FirstOrDefault(v => v.Version == number);
        var aliases = details.Aliases.Where(a => a.Value == number).Select(a => a.Key).Order().ToList();
        context.Out.WriteLine($"Created {model}:{number}" + (aliases.Count == 0 ? string.Empty : $" (alias {string.Join(", ", aliases)})"));
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string key, string value) => grid.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(value));
        if (version?.Lineage is { } lineage)
        {
            Row("Derived from", LineageText.Parents(lineage));
            Row("Transform", LineageText.Transform(lineage));
        }

        if (version?.Report is { } report)
        {
            foreach (var (label, value) in ReportView.Rows(report))
            {
                Row(label, value);
            }
        }
        else if (job.Summary is { Length: > 0 } summary)
        {
            Row("Summary", summary);
        }

        context.Out.Write(grid);
    }

    /// <summary>The job's parameters: <c>{model, version?, method, alias?, options?, calibration?}</c>.</summary>
    internal static async Task<JsonObject> BuildParametersAsync(
        MaasApiClient client, string reference, string method, string? alias, IReadOnlyList<string> options, FileInfo? calibration, CancellationToken cancellationToken)
    {
        if (!ModelReference.TryParse(reference, null, out var parsed, out var problem))
        {
            throw new CliException(problem);
        }

        var version = parsed.Version;
        if (parsed.Alias is { } sourceAlias)
        {
            // The job names versions by number; resolve the alias here so the job records exactly what it started from.
            var details = await client.GetModelAsync(parsed.Name, cancellationToken).ConfigureAwait(false);
            version = details.Aliases.TryGetValue(sourceAlias, out var target)
                ? target
                : throw new CliException($"model '{parsed.Name}' has no alias '{sourceAlias}'");
        }

        var parameters = new JsonObject { ["model"] = parsed.Name };
        if (version is { } v)
        {
            parameters["version"] = v;
        }

        parameters["method"] = method;
        if (alias is not null)
        {
            parameters["alias"] = alias;
        }

        if (options.Count > 0)
        {
            parameters["options"] = ParseOptions(options);
        }

        if (calibration is not null)
        {
            parameters["calibration"] = await ReadCalibrationAsync(calibration, cancellationToken).ConfigureAwait(false);
        }

        return parameters;
    }

    internal static JsonObject ParseOptions(IReadOnlyList<string> options)
    {
        var result = new JsonObject();
        foreach (var option in options)
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--option '{option}' is not KEY=VALUE");
            }

            var key = option[..equals].Trim();
            if (result.ContainsKey(key))
            {
                throw new CliException($"--option '{key}' is given more than once");
            }

            result[key] = OptionValue(option[(equals + 1)..]);
        }

        return result;
    }

    /// <summary>A JSON value when the text is one (<c>true</c>, <c>0.5</c>, <c>["a","b"]</c>), else the text itself.</summary>
    private static JsonNode? OptionValue(string text)
    {
        try
        {
            return JsonNode.Parse(text) ?? JsonValue.Create((string?)null);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static async Task<JsonArray> ReadCalibrationAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CliException($"calibration file '{file.FullName}' not found");
        }

        var inputs = new JsonArray();
        var number = 0;
        foreach (var line in await File.ReadAllLinesAsync(file.FullName, cancellationToken).ConfigureAwait(false))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                inputs.Add(JsonNode.Parse(line));
            }
            catch (JsonException ex)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{file.Name} line {number} is not JSON: {ex.Message}"));
            }
        }

        return inputs.Count > 0 ? inputs : throw new CliException($"calibration file '{file.Name}' has no inputs");
    }
}
