using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Maas.Registry.Artifacts.S3;

/// <summary>An S3 client bound to one bucket and key prefix, and the key layout blobs use there.</summary>
/// <remarks>Blob keys are <c>&lt;prefix&gt;sha256/ab/&lt;64-hex&gt;</c>, the folder store's layout, so a bucket can be filled by copying a folder.</remarks>
internal sealed class S3Connection : IDisposable
{
    private const string DefaultRegion = "us-east-1";

    private S3Connection(IAmazonS3 client, S3Location location, string endpoint, bool pathStyle)
    {
        Client = client;
        Location = location;
        Endpoint = endpoint;
        PathStyle = pathStyle;
    }

    public IAmazonS3 Client { get; }

    public S3Location Location { get; }

    public string Bucket => Location.Bucket;

    /// <summary>Where requests go, for logs: the configured URL, or the AWS region.</summary>
    public string Endpoint { get; }

    public bool PathStyle { get; }

    /// <summary>Every blob key starts with this.</summary>
    public string BlobPrefix => Location.Prefix + "sha256/";

    /// <summary>Builds the client from configuration, falling back to the AWS SDK's standard environment variables.</summary>
    public static S3Connection Create(S3Location location, S3StoreOptions options)
    {
        var serviceUrl = FirstSet(options.ServiceUrl, Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3"), Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"));
        var region = FirstSet(options.Region, Environment.GetEnvironmentVariable("AWS_REGION"), Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION")) ?? DefaultRegion;
        var pathStyle = options.ForcePathStyle ?? serviceUrl is not null;
        var config = new AmazonS3Config
        {
            ForcePathStyle = pathStyle,

            // Checksums only where an operation requires them: the SDK's default (a CRC32 trailer in aws-chunked bodies)
            // is not understood by every S3-compatible server. Integrity comes from Content-MD5 and the checks after upload.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (serviceUrl is not null)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        var client = !string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config)
            : new AmazonS3Client(config);
        return new S3Connection(client, location, serviceUrl ?? $"AWS {region}", pathStyle);
    }

    public string BlobKey(string sha256)
    {
        Sha256Digest.Validate(sha256);
        return BlobPrefix + sha256[..2] + "/" + sha256;
    }

    /// <summary>The digest a listed key names, or null for keys that are not blobs of this layout.</summary>
    public string? DigestOf(string key)
    {
        if (!key.StartsWith(BlobPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var digest = key[(key.LastIndexOf('/') + 1)..];
        return Sha256Digest.IsValid(digest) && string.Equals(key, BlobKey(digest), StringComparison.Ordinal) ? digest : null;
    }

    public void Dispose() => Client.Dispose();

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
