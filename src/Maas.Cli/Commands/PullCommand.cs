using System.CommandLine;
using System.Security.Cryptography;
using Maas.Cli.Client;
using Maas.Cli.Output;
using Maas.Core.Models;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas models pull NAME[:V|@ALIAS] [--output DIR]</c>: downloads a stored version's files, verified by digest.</summary>
/// <remarks>
/// Each file goes to <c>DIR/.NAME.partial</c> first and is renamed only after its SHA-256 matches the registry's, so a
/// broken or interrupted download never leaves a file that looks complete. A file already there with the right
/// digest is kept; one with other content is only replaced with <c>--force</c>.
/// </remarks>
internal static class PullCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = new Argument<string>("model") { Description = "NAME, NAME:VERSION or NAME@ALIAS (default: the production alias, else the latest version)" };
        model.Validators.Add(result =>
        {
            if (!ModelReference.TryParse(result.GetValueOrDefault<string>() ?? string.Empty, null, out _, out var error))
            {
                result.AddError(error);
            }
        });
        var output = new Option<string?>("--output", "-o") { Description = "Folder to write the files to (default: ./NAME)", HelpName = "DIR" };
        var force = new Option<bool>("--force") { Description = "Replace files in the folder whose content differs" };
        var server = ServerOption.Create(context);

        var command = new Command("pull", "Download the files of a stored version") { model, output, force, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var reference = ModelReference.Parse(parseResult.GetValue(model)!);
            var details = await client.GetModelAsync(reference.Name, cancellationToken).ConfigureAwait(false);
            var version = Resolve(details, reference);
            var folder = Path.GetFullPath(parseResult.GetValue(output) ?? reference.Name);
            Directory.CreateDirectory(folder);

            var pending = new List<ModelFileInfo>();
            foreach (var file in version.Files)
            {
                var path = TargetPath(folder, file.Name);
                if (!File.Exists(path))
                {
                    pending.Add(file);
                }
                else if (!string.Equals(await Sha256Async(path, cancellationToken).ConfigureAwait(false), file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    if (!parseResult.GetValue(force))
                    {
                        throw new CliException($"{path} exists with other content; use --force to replace it.");
                    }

                    pending.Add(file);
                }
            }

            var key = $"{details.Name}:{version.Version}";
            if (pending.Count > 0)
            {
                var label = $"Downloading {pending.Count} file{(pending.Count == 1 ? string.Empty : "s")} of {key}";
                await UploadProgress.RunAsync(context.Out, label, pending.Sum(f => f.Size), async progress =>
                {
                    foreach (var file in pending)
                    {
                        await DownloadAsync(client, details.Name, version.Version, file, TargetPath(folder, file.Name), progress, cancellationToken).ConfigureAwait(false);
                    }

                    return pending.Count;
                }).ConfigureAwait(false);
            }

            context.Out.MarkupLineInterpolated($"[green]Pulled {key}[/] to {folder}{(pending.Count < version.Files.Count ? $" ({version.Files.Count - pending.Count} already there)" : string.Empty)}");
            context.Out.Write(FileTable.Create(version.Files));
        }));
        return command;
    }

    /// <summary>The registry's rule for <c>name</c>, <c>name:v</c> and <c>name@alias</c>, applied to the model's listing.</summary>
    internal static ModelVersionInfo Resolve(ModelDetails details, ModelReference reference)
    {
        int? number = reference.Version;
        if (reference.Alias is { } alias)
        {
            number = details.Aliases.TryGetValue(alias, out var target) ? target : throw new CliException($"model '{details.Name}' has no alias '{alias}'");
        }
        else if (number is null && details.Aliases.TryGetValue(ModelReference.DefaultAlias, out var production))
        {
            number = production;
        }

        var version = number is { } n ? details.Versions.FirstOrDefault(v => v.Version == n) : details.Versions.MaxBy(v => v.Version);
        return version ?? throw new CliException(number is { } missing
            ? $"model '{details.Name}' has no version {missing}"
            : $"model '{details.Name}' has no versions");
    }

    private static string TargetPath(string folder, string name)
    {
        // The registry only stores plain file names; refuse anything else rather than write outside the folder.
        if (Path.GetFileName(name) != name || name is "." or "..")
        {
            throw new CliException($"the server listed a file named '{name}', which is not a plain file name.");
        }

        return Path.Combine(folder, name);
    }

    private static async Task DownloadAsync(
        MaasApiClient client, string model, int version, ModelFileInfo file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var partial = Path.Combine(Path.GetDirectoryName(path)!, $".{file.Name}.partial");
        try
        {
            string sha256;
            var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                sha256 = await client.DownloadFileAsync(model, version, file.Name, stream, progress, cancellationToken).ConfigureAwait(false);
            }

            if (!string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException($"'{file.Name}' arrived with SHA-256 {sha256}, but the registry lists {file.Sha256}; nothing was written.");
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }
}
