using Maas.Core.Errors;

namespace Maas.Core.Models;

/// <summary>The rules for the logical names of a version's files and for which of them is the model file; shared by
/// the registry (which enforces them) and the CLI (which checks a push before uploading it).</summary>
public static class ArtifactFileNames
{
    public const int MaxLength = 255;

    public const string OnnxExtension = ".onnx";

    public const string GgufExtension = ".gguf";

    /// <summary>The manifest's default model file, which a caller leaving it unset did not choose.</summary>
    public const string DefaultModelFile = "model.onnx";

    /// <summary>Rejects names that could escape a folder if a file were ever materialized under its logical name.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrWhiteSpace(name)
        && name.Length <= MaxLength
        && name is not ("." or "..")
        && !name.Contains("..", StringComparison.Ordinal)
        && name.IndexOfAny(['/', '\\', ':']) < 0
        && !name.Any(char.IsControl)
        && name == name.Trim();

    public static string NotAllowed(string? name) =>
        $"File name '{name}' is not allowed: a plain file name without path separators or '..', 1 to {MaxLength} characters.";

    /// <summary>The model file among <paramref name="names"/>: the one the manifest names (<paramref name="declared"/>),
    /// else the only <c>.onnx</c> file, else the only <c>.gguf</c> file.</summary>
    /// <exception cref="MaasException">InvalidArgument when there is none or the choice is ambiguous.</exception>
    public static string ChooseModelFile(IReadOnlyCollection<string> names, string? declared)
    {
        if (!string.IsNullOrEmpty(declared))
        {
            if (names.Contains(declared, StringComparer.Ordinal))
            {
                return declared;
            }

            // The default file name is not a real choice by the caller, so only an explicit one must exist.
            if (declared != DefaultModelFile)
            {
                throw MaasException.InvalidArgument($"The manifest's model file '{declared}' is not among the pushed files.");
            }
        }

        var onnx = names.Where(n => HasExtension(n, OnnxExtension)).ToList();
        if (onnx.Count > 1)
        {
            throw MaasException.InvalidArgument(
                $"The push has several {OnnxExtension} files ({string.Join(", ", onnx)}); name the model file in the manifest.");
        }

        if (onnx.Count == 1)
        {
            return onnx[0];
        }

        var gguf = names.Where(n => HasExtension(n, GgufExtension)).ToList();
        return gguf.Count switch
        {
            1 => gguf[0],
            0 => throw MaasException.InvalidArgument($"The push has no model file: expected one {OnnxExtension} (or {GgufExtension}) file."),
            _ => throw MaasException.InvalidArgument(
                $"The push has several {GgufExtension} files ({string.Join(", ", gguf)}); name the model file in the manifest."),
        };
    }

    private static bool HasExtension(string name, string extension) => name.EndsWith(extension, StringComparison.OrdinalIgnoreCase);
}
