using System.CommandLine;
using System.Text.Json;
using Maas.Cli.Client;
using Maas.Cli.Output;
using Maas.Core.Models;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas models push NAME PATH...</c>: uploads files as a new, immutable version.</summary>
internal static class PushCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = NameArgument.Create("name", "Model name (created on its first push)");
        var paths = new Argument<string[]>("path") { Description = "Files of the version: the model file and its companions (vocab.txt, ...)", Arity = ArgumentArity.OneOrMore };
        var alias = new Option<string?>("--alias") { Description = "Point this alias at the new version", HelpName = "ALIAS" };
        alias.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && !ModelNames.IsValid(value))
            {
                result.AddError($"Alias '{value}' is not valid: {ModelNames.Rule}");
            }
        });
        var manifest = new Option<string?>("--manifest") { Description = "JSON manifest (task, processing steps, labels); detected by the server when omitted", HelpName = "FILE.json" };
        var description = new Option<string?>("--description") { Description = "Set the model's description", HelpName = "TEXT" };
        var baseModel = new Option<string?>("--base") { Description = "For a GGUF LoRA adapter: its base model (NAME, NAME:VERSION or NAME@ALIAS)", HelpName = "MODEL" };
        var server = ServerOption.Create(context);

        var command = new Command("push", "Upload files as a new version of a model") { name, paths, alias, manifest, description, baseModel, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var files = parseResult.GetValue(paths)!;
            var manifestPath = parseResult.GetValue(manifest);
            var manifestJson = manifestPath is null ? null : await ReadManifestAsync(manifestPath, cancellationToken).ConfigureAwait(false);
            var totalBytes = PushPreflight.Check(files, manifestJson);
            var request = new ModelPushRequest(
                parseResult.GetValue(name)!,
                files,
                parseResult.GetValue(alias),
                parseResult.GetValue(description),
                manifestJson,
                parseResult.GetValue(baseModel));

            var label = $"Uploading {files.Length} file{(files.Length == 1 ? string.Empty : "s")} to {request.Model}";
            var version = await UploadProgress.RunAsync(context.Out, label, totalBytes, progress => client.PushAsync(request, progress, cancellationToken)).ConfigureAwait(false);

            var aliasNote = request.Alias is null ? string.Empty : $" (alias {request.Alias})";
            context.Out.MarkupLineInterpolated($"[green]Pushed {version.Model ?? request.Model}:{version.Version}[/]{aliasNote}");
            context.Out.Write(FileTable.Create(version.Files));
        }));
        return command;
    }

    private static async Task<string> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"manifest not found: {path}");
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            // Only a syntax check: what the fields mean is the server's call, and it answers with a precise error.
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new CliException($"manifest {path} is not valid JSON: {ex.Message}", ex);
        }

        return text;
    }
}
