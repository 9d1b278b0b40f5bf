using System.Text.RegularExpressions;

namespace Maas.Core.Errors;

/// <summary>Removes server file-system paths from text a client will see, keeping only the file's name.</summary>
/// <remarks>
/// Engines put the file they failed on into their messages (ONNX Runtime: <c>Load model from /srv/maas/artifacts/
/// sha256/ab/… failed</c>); the layout of the server's disk is nobody's business but the operator's, who finds the
/// full message in the log. A path counts when its folder exists on this machine, so URLs and routes in messages
/// (<c>/v1/completions</c>, <c>http://host/path</c>) are left alone.
/// </remarks>
public static partial class PathRedaction
{
    /// <summary><paramref name="text"/> with every absolute path (Unix or Windows) replaced by its last segment.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('/', StringComparison.Ordinal) && !text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        text = UnixPath().Replace(text, Shorten);
        return WindowsPath().Replace(text, Shorten);
    }

    private static string Shorten(Match match)
    {
        var folder = Path.GetDirectoryName(match.Value.TrimEnd('/', '\\'));
        if (folder is not { Length: > 1 } || !Directory.Exists(folder))
        {
            return match.Value;
        }

        var name = match.Groups["name"].Value;
        return name.Length > 0 ? name : "(folder)";
    }

    // An absolute path: a '/' not preceded by a word character, ':' or '/' (so not "a/b", "http://" or "//"),
    // at least two segments, ending at whitespace, a quote or punctuation that cannot be part of a file name here.
    [GeneratedRegex(@"(?<![\w:/.\-~])/(?:[^/\s'""<>|,;()\[\]{}]+/)+(?<name>[^/\s'""<>|,;()\[\]{}]*)", RegexOptions.CultureInvariant)]
    private static partial Regex UnixPath();

    [GeneratedRegex(@"(?<![\w])[A-Za-z]:\\(?:[^\\\s'""<>|,;()\[\]{}]+\\)*(?<name>[^\\\s'""<>|,;()\[\]{}]*)", RegexOptions.CultureInvariant)]
    private static partial Regex WindowsPath();
}
