namespace Maas.Cli.Output;

/// <summary>Shortened content digests: enough characters to tell versions apart at a glance, like short git hashes.</summary>
internal static class Digest
{
    public const int ShortLength = 12;

    public static string Short(string? sha256) =>
        string.IsNullOrEmpty(sha256) ? "-" : sha256.Length <= ShortLength ? sha256 : sha256[..ShortLength];
}
