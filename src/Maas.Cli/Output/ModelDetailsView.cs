using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>Renders <c>maas models show</c>: the model, its aliases, then each version newest first.</summary>
internal static class ModelDetailsView
{
    public static void Write(IAnsiConsole console, ModelDetails model)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(model);
        var header = Grid();
        AddRow(header, "Model", model.Name);
        AddRow(header, "Description", string.IsNullOrWhiteSpace(model.Description) ? "-" : model.Description);
        AddRow(header, "Created", Timestamps.Format(model.CreatedAt));
        AddRow(header, "Tags", model.Tags.Count == 0 ? "-" : string.Join(", ", model.Tags.Select(t => $"{t.Key}={t.Value}")));
        AddRow(header, "Aliases", model.Aliases.Count == 0 ? "-" : string.Join(", ", model.Aliases.OrderBy(a => a.Key).Select(a => $"{a.Key} → {a.Value}")));
        console.Write(header);

        if (model.Versions.Count == 0)
        {
            console.WriteLine();
            console.WriteLine("No versions.");
            return;
        }

        foreach (var version in model.Versions.OrderByDescending(v => v.Version))
        {
            WriteVersion(console, model, version);
        }
    }

    private static void WriteVersion(IAnsiConsole console, ModelDetails model, ModelVersionInfo version)
    {
        console.WriteLine();
        var aliases = model.Aliases.Where(a => a.Value == version.Version).Select(a => a.Key).Order().ToList();
        var title = $"{model.Name}:{version.Version}" + (aliases.Count == 0 ? string.Empty : $" ({string.Join(", ", aliases)})");
        console.Write(new Rule(Markup.Escape(title)).LeftJustified());

        var grid = Grid();
        var by = string.IsNullOrEmpty(version.CreatedBy) ? string.Empty : $" by {version.CreatedBy}";
        AddRow(grid, "Created", Timestamps.Format(version.CreatedAt) + by);
        AddRow(grid, "Deployment", DeploymentView.StateLine(model.Deployments.FirstOrDefault(d => d.Version == version.Version)));
        if (version.Manifest is { } manifest)
        {
            AddRow(grid, "Task", $"{manifest.Task} ({manifest.Engine} engine, {manifest.Format} format, main file {manifest.ModelFile})");
            AddRow(grid, "Inputs", SignatureText.Tensors(manifest.Inputs));
            AddRow(grid, "Outputs", SignatureText.Tensors(manifest.Outputs));
            AddRow(grid, "Pre-processing", SignatureText.Steps(manifest.PreProcessing));
            AddRow(grid, "Post-processing", SignatureText.Steps(manifest.PostProcessing));
            if (manifest.Labels is { Count: > 0 } labels)
            {
                var shown = string.Join(", ", labels.Take(5)) + (labels.Count > 5 ? ", …" : string.Empty);
                AddRow(grid, "Labels", $"{labels.Count}: {shown}");
            }
        }

        if (version.Lineage is { } lineage)
        {
            AddRow(grid, "Derived from", LineageText.Parents(lineage));
            AddRow(grid, "Transform", LineageText.Transform(lineage));
            if (lineage.JobId is { Length: > 0 } job)
            {
                AddRow(grid, "Job", job);
            }
        }

        if (version.Report is { } report)
        {
            foreach (var (label, value) in ReportView.Rows(report))
            {
                AddRow(grid, label, value);
            }
        }

        console.Write(grid);
        console.Write(FileTable.Create(version.Files));
    }

    private static Grid Grid() => new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();

    private static void AddRow(Grid grid, string key, string value) =>
        grid.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(value));
}
