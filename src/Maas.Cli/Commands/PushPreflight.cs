using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
using Maas.Formats.Onnx;

namespace Maas.Cli.Commands;

/// <summary>What <c>maas models push</c> checks before it uploads a byte, with the server's own wording.</summary>
/// <remarks>
/// A refused push used to upload the whole model (tens of megabytes or gigabytes) before the server said what was
/// wrong. Everything the server would refuse without looking at other versions is checked here: the files exist and
/// can be read, their names are allowed and unique, there is exactly one model file (or the manifest names it), the
/// manifest is a JSON object with a known task, and the model file's header parses. The server still checks it all
/// again; this only saves the upload.
/// </remarks>
internal static class PushPreflight
{
    private const string OnnxExtension = ArtifactFileNames.OnnxExtension;
    private const string GgufExtension = ArtifactFileNames.GgufExtension;

    /// <summary>Checks the push; returns the total size of the files to upload.</summary>
    /// <exception cref="CliException">What the server would refuse, before anything is sent.</exception>
    public static long Check(IReadOnlyList<string> paths, string? manifestJson)
    {
        ArgumentNullException.ThrowIfNull(paths);
        long total = 0;
        var files = new List<(string Name, string Path)>(paths.Count);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new CliException(Directory.Exists(path) ? $"{path} is a folder; push the files in it." : $"file not found: {path}");
            }

            CheckReadable(info);
            CheckFileName(info.Name);

            // The server compares names ignoring case, since they may become file names on a case-insensitive disk.
            if (!names.Add(info.Name))
            {
                throw new CliException($"two files are named '{info.Name}'; a version stores files by name, so each must be unique.");
            }

            files.Add((info.Name, info.FullName));
            total += info.Length;
        }

        var (task, declaredModelFile) = ReadManifest(manifestJson);
        if (task is not null && !ModelTasks.All.Contains(task, StringComparer.Ordinal))
        {
            throw new CliException($"Task '{task}' is not known; expected one of {string.Join(", ", ModelTasks.All)}.");
        }

        var modelFile = FindModelFile(files, declaredModelFile);
        CheckModelFile(modelFile.Name, modelFile.Path);
        return total;
    }

    private static void CheckReadable(FileInfo info)
    {
        try
        {
            using var stream = info.OpenRead();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {info.FullName}: {e.Message}", e);
        }
    }

    private static void CheckFileName(string name)
    {
        if (!ArtifactFileNames.IsValid(name))
        {
            throw new CliException(ArtifactFileNames.NotAllowed(name));
        }
    }

    private static (string? Task, string? ModelFile) ReadManifest(string? json)
    {
        if (json is null)
        {
            return (null, null);
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CliException("The manifest must be a JSON object.");
        }

        return (StringProperty(root, "task"), StringProperty(root, "model_file"));
    }

    private static string? StringProperty(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The server's choice of model file (<see cref="ArtifactFileNames.ChooseModelFile"/>), with its messages.</summary>
    private static (string Name, string Path) FindModelFile(List<(string Name, string Path)> files, string? declared)
    {
        try
        {
            var name = ArtifactFileNames.ChooseModelFile(files.Select(f => f.Name).ToList(), declared);
            return files.First(f => string.Equals(f.Name, name, StringComparison.Ordinal));
        }
        catch (MaasException e)
        {
            throw new CliException(e.Message, e);
        }
    }

    /// <summary>Reads the model file's header and signature (not its weights), as the server does when it stores it.</summary>
    private static void CheckModelFile(string name, string path)
    {
        var extension = Path.GetExtension(name).ToLowerInvariant();
        try
        {
            switch (extension)
            {
                case OnnxExtension:
                    OnnxModelReader.Read(path);
                    break;
                case GgufExtension:
                    GgufReader.Read(path);
                    break;
                default:
                    throw new CliException($"Model file '{name}' has an unknown format; expected a {OnnxExtension} or {GgufExtension} file.");
            }
        }
        catch (InvalidDataException e)
        {
            var format = extension == OnnxExtension ? "ONNX model" : "GGUF file";
            throw new CliException($"'{name}' is not a valid {format}: {Reason(e)}", e);
        }
    }

    /// <summary>The reader's message without its own "Not a valid … :" lead, which the caller already says.</summary>
    private static string Reason(Exception e) =>
        e.Message.StartsWith("Not a valid", StringComparison.Ordinal) && e.Message.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon
            ? e.Message[(colon + 2)..]
            : e.Message;
}
