namespace Maas.Registry.Artifacts.S3;

/// <summary>A bucket and key prefix parsed from <c>s3://BUCKET[/PREFIX]</c>.</summary>
/// <param name="Bucket">The bucket name.</param>
/// <param name="Prefix">Key prefix ending in <c>/</c>, or empty.</param>
internal sealed record S3Location(string Bucket, string Prefix)
{
    public const string Scheme = "s3://";

    public static bool IsS3(string? value) => value is not null && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Scheme + Bucket + (Prefix.Length == 0 ? "" : "/" + Prefix.TrimEnd('/'));

    /// <summary>Parses <paramref name="value"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? value, out S3Location? location, out string? error)
    {
        location = null;
        error = null;
        if (!IsS3(value))
        {
            error = $"'{value}' is not an s3:// URL; expected s3://BUCKET[/PREFIX].";
            return false;
        }

        var rest = value![Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (!IsValidBucket(bucket))
        {
            error = $"'{bucket}' in '{value}' is not a valid bucket name (3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit).";
            return false;
        }

        if (prefix.Length > 0)
        {
            foreach (var segment in prefix.Split('/'))
            {
                if (segment.Length == 0 || segment is "." or ".." || segment.Any(c => char.IsControl(c) || c == '\\'))
                {
                    error = $"The prefix '{prefix}' in '{value}' has an empty, '.', '..' or otherwise unusable segment.";
                    return false;
                }
            }

            prefix += "/";
        }

        location = new S3Location(bucket, prefix);
        return true;
    }

    private static bool IsValidBucket(string bucket) =>
        bucket.Length is >= 3 and <= 63
        && char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1])
        && bucket.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c is '.' or '-')
        && !bucket.Contains("..", StringComparison.Ordinal);
}
