using System.Text.RegularExpressions;

namespace Maas.Tests.Shared.Deploy;

/// <summary>A <c>.dockerignore</c>: a path is left out of the build context when a pattern matches it or one of
/// the folders above it (<c>*</c> within a name, <c>**</c> across folders; no <c>!</c> exceptions, which this
/// repository does not use).</summary>
internal sealed class DockerIgnore
{
    private readonly Regex[] _patterns;

    private DockerIgnore(Regex[] patterns) => _patterns = patterns;

    public static DockerIgnore Parse(string text)
    {
        var patterns = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l =>
        {
            if (l.StartsWith('!'))
            {
                throw new NotSupportedException($"Exceptions ({l}) are not supported here.");
            }

            var glob = l.Trim('/');
            var regex = Regex.Escape(glob).Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
                .Replace(@"\*\*", ".*", StringComparison.Ordinal)
                .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
                .Replace(@"\?", "[^/]", StringComparison.Ordinal);
            return new Regex($"^{regex}$", RegexOptions.CultureInvariant);
        }).ToArray();
        return new DockerIgnore(patterns);
    }

    /// <summary>True when <paramref name="relativePath"/> (from the context's root, <c>/</c>-separated) is left out.</summary>
    public bool Excludes(string relativePath)
    {
        var path = relativePath.Replace('\\', '/').Trim('/');
        while (path.Length > 0)
        {
            if (_patterns.Any(p => p.IsMatch(path)))
            {
                return true;
            }

            var slash = path.LastIndexOf('/');
            path = slash < 0 ? string.Empty : path[..slash];
        }

        return false;
    }
}
