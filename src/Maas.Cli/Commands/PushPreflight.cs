using System.Text.Json;
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
    private const string OnnxExtension = ".onnx";
    private const string GgufExtension = ".gguf";
    private const string DefaultModelFile = "model.onnx";
    private const int MaxFileNameLength = 255;

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
        if (string.IsNullOrWhiteSpace(name)
            || name.Length > MaxFileNameLength
            || name.Contains("..", StringComparison.Ordinal)
            || name.IndexOfAny(['/', '\\', ':']) >= 0
            || name.Any(char.IsControl)
            || name != name.Trim())
        {
            throw new CliException(
                $"File name '{name}' is not allowed: a plain file name without path separators or '..', 1 to {MaxFileNameLength} characters.");
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

    /// <summary>The server's choice of model file (<c>ManifestDetector.FindModelFile</c>), with its messages.</summary>
    private static (string Name, string Path) FindModelFile(List<(string Name, string Path)> files, string? declared)
    {
        if (!string.IsNullOrEmpty(declared))
        {
            var named = files.FirstOrDefault(f => string.Equals(f.Name, declared, StringComparison.Ordinal));
            if (named.Name is not null)
            {
                return named;
            }

            // model.onnx is the manifest's default, so the server only insists on a model file someone named on purpose.
            if (declared != DefaultModelFile)
            {
                throw new CliException($"The manifest's model file '{declared}' is not among the pushed files.");
            }
        }

        var onnx = files.Where(f => f.Name.EndsWith(OnnxExtension, StringComparison.OrdinalIgnoreCase)).ToList();
        if (onnx.Count > 1)
        {
            throw new CliException(
                $"The push has several {OnnxExtension} files ({string.Join(", ", onnx.Select(f => f.Name))}); name the model file in the manifest.");
        }

        if (onnx.Count == 1)
        {
            return onnx[0];
        }

        var gguf = files.Where(f => f.Name.EndsWith(GgufExtension, StringComparison.OrdinalIgnoreCase)).ToList();
        return gguf.Count switch
        {
            1 => gguf[0],
            0 => throw new CliException($"The push has no model file: expected one {OnnxExtension} (or {GgufExtension}) file."),
            _ => throw new CliException(
                $"The push has several {GgufExtension} files ({string.Join(", ", gguf.Select(f => f.Name))}); name the model file in the manifest."),
        };
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
