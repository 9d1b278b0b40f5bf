using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>Jobs as text: one job in detail (<c>maas jobs show</c>) and the short forms used in lists and messages.</summary>
internal static class JobView
{
    public static void Write(IAnsiConsole console, JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(job);
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string key, string value) => grid.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(value));
        Row("Job", job.Id);
        Row("Kind", job.Kind);
        Row("State", job.State);
        Row("Progress", Percent(job.Progress) + (job.Stage is { Length: > 0 } stage ? $" ({stage})" : string.Empty));
        Row("Subject", Subject(job));
        Row("Parameters", Parameters(job.Parameters));
        Row("Actor", job.Actor ?? "-");
        Row("Created", Timestamps.Format(job.CreatedAt));
        Row("Started", job.StartedAt is { } started ? Timestamps.Format(started) : "-");
        Row("Finished", job.FinishedAt is { } finished ? Timestamps.Format(finished) : "-");
        if (job.ResultModel is not null)
        {
            Row("Result", $"{job.ResultModel}:{job.ResultVersion}");
        }

        if (job.Summary is { Length: > 0 } summary)
        {
            Row("Summary", summary);
        }

        if (job.Error is { Length: > 0 } error)
        {
            Row("Error", error);
        }

        console.Write(grid);
    }

    public static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The model the job is about (<c>name</c> or <c>name:version</c> from its parameters), or <c>-</c>.</summary>
    public static string Subject(JobInfo job)
    {
        if (job.Parameters is not { ValueKind: JsonValueKind.Object } p || !p.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
        {
            return "-";
        }

        return model.GetString() + (p.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? $":{v.GetRawText()}" : string.Empty);
    }

    /// <summary>Where the job stands in a few words: its stage while running, its result or error once done.</summary>
    public static string Outcome(JobInfo job) => job switch
    {
        { ResultModel: { } model, ResultVersion: { } version } => $"{model}:{version}" + (job.Summary is { Length: > 0 } s ? $" {s}" : string.Empty),
        { Error: { Length: > 0 } error } => error,
        { Summary: { Length: > 0 } summary } => summary,
        { Stage: { Length: > 0 } stage } => stage,
        _ => "-",
    };

    /// <summary>Compact JSON of the parameters, with inline input lists (calibration data) reduced to their count.</summary>
    public static string Parameters(JsonElement? parameters)
    {
        if (parameters is not { ValueKind: JsonValueKind.Object } p)
        {
            return "-";
        }

        var node = JsonNode.Parse(p.GetRawText())!.AsObject();
        foreach (var (key, value) in node.ToList())
        {
            if (value is JsonArray { Count: > 3 } array)
            {
                node[key] = $"[{array.Count} items]";
            }
        }

        return node.ToJsonString();
    }
}
