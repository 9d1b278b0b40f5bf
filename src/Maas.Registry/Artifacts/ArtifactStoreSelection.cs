using Maas.Registry.Artifacts.S3;

namespace Maas.Registry.Artifacts;

/// <summary>
/// Reads <c>Maas:Registry:Artifacts</c> (<c>folder</c>, a path, or <c>s3://BUCKET[/PREFIX]</c>) and
/// <c>Maas:Registry:ArtifactStore</c> (a store name) as one choice, so the two settings cannot disagree silently.
/// </summary>
internal static class ArtifactStoreSelection
{
    private const string FolderKeyword = "folder";

    /// <summary>The name of the store the registry uses.</summary>
    public static string StoreName(RegistryOptions options) =>
        !string.IsNullOrWhiteSpace(options.ArtifactStore)
            ? options.ArtifactStore.Trim()
            : S3.S3Location.IsS3(options.Artifacts) ? S3ArtifactStore.StoreName : FolderArtifactStore.StoreName;

    /// <summary>The folder the folder store keeps blobs in, when <c>Artifacts</c> names one; null for the default place.</summary>
    public static string? FolderPath(RegistryOptions options) =>
        IsFolderPath(options.Artifacts) ? options.Artifacts!.Trim() : null;

    /// <summary>The bucket and prefix, when <c>Artifacts</c> is a valid <c>s3://</c> URL.</summary>
    public static S3Location? S3LocationOf(RegistryOptions options) =>
        S3.S3Location.TryParse(options.Artifacts?.Trim(), out var location, out _) ? location : null;

    /// <summary>Why these options cannot start (empty when they can).</summary>
    public static IEnumerable<string> Validate(RegistryOptions options)
    {
        var artifacts = options.Artifacts?.Trim();
        if (options.ArtifactStore is not null && string.IsNullOrWhiteSpace(options.ArtifactStore))
        {
            yield return "Maas:Registry:ArtifactStore must name an artifact store (e.g. 'folder' or 's3') or be left unset.";
            yield break;
        }

        var name = StoreName(options);
        var isS3Store = string.Equals(name, S3ArtifactStore.StoreName, StringComparison.OrdinalIgnoreCase);
        if (S3.S3Location.IsS3(artifacts))
        {
            if (!S3.S3Location.TryParse(artifacts, out _, out var error))
            {
                yield return $"Maas:Registry:Artifacts: {error}";
            }

            if (!isS3Store)
            {
                yield return $"Maas:Registry:ArtifactStore '{name}' disagrees with Maas:Registry:Artifacts '{artifacts}': an s3:// location needs the 's3' store (or leave ArtifactStore unset).";
            }
        }
        else if (artifacts is not null && artifacts.Contains("://", StringComparison.Ordinal))
        {
            yield return $"Maas:Registry:Artifacts '{artifacts}' has an unsupported scheme; expected 'folder', a folder path, or s3://BUCKET[/PREFIX].";
        }
        else if (isS3Store)
        {
            yield return "The 's3' artifact store needs Maas:Registry:Artifacts = s3://BUCKET[/PREFIX].";
        }

        if (isS3Store)
        {
            foreach (var failure in ValidateS3(options.S3))
            {
                yield return failure;
            }
        }
    }

    private static IEnumerable<string> ValidateS3(S3StoreOptions s3)
    {
        const long MiB = 1024 * 1024;
        if (s3.ServiceUrl is not null
            && (!Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return $"Maas:Registry:S3:ServiceUrl '{s3.ServiceUrl}' must be an absolute http:// or https:// URL.";
        }

        if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
        {
            yield return "Maas:Registry:S3:AccessKey and SecretKey must be set together (or both left unset for the AWS SDK's credential sources).";
        }

        if (s3.PartSize < 5 * MiB || s3.PartSize > 5L * 1024 * MiB)
        {
            yield return "Maas:Registry:S3:PartSize must be between 5 MiB and 5 GiB (S3's limits).";
        }

        if (s3.MultipartThreshold < 1)
        {
            yield return "Maas:Registry:S3:MultipartThreshold must be positive.";
        }

        if (s3.UploadConcurrency is < 1 or > 64)
        {
            yield return "Maas:Registry:S3:UploadConcurrency must be between 1 and 64.";
        }

        if (s3.ListPageSize is < 1 or > 1000)
        {
            yield return "Maas:Registry:S3:ListPageSize must be between 1 and 1000.";
        }

        if (s3.StaleUploadAge <= TimeSpan.Zero)
        {
            yield return "Maas:Registry:S3:StaleUploadAge must be positive.";
        }
    }

    private static bool IsFolderPath(string? artifacts) =>
        !string.IsNullOrWhiteSpace(artifacts)
        && !string.Equals(artifacts.Trim(), FolderKeyword, StringComparison.OrdinalIgnoreCase)
        && !artifacts.Contains("://", StringComparison.Ordinal);
}
