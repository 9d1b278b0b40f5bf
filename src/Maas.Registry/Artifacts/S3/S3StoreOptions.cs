namespace Maas.Registry.Artifacts.S3;

/// <summary>Connection and upload settings of the S3 artifact store (<c>Maas:Registry:S3</c>).</summary>
/// <remarks>
/// Every connection setting left unset falls back to the AWS SDK's standard environment variables:
/// <c>AWS_ENDPOINT_URL_S3</c> (or <c>AWS_ENDPOINT_URL</c>), <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>
/// (or the SDK's other credential sources), <c>AWS_REGION</c>. The bucket and prefix come from
/// <c>Maas:Registry:Artifacts = s3://BUCKET[/PREFIX]</c>.
/// </remarks>
public sealed class S3StoreOptions
{
    /// <summary>Endpoint of an S3-compatible server (e.g. <c>http://minio:9000</c>); unset means AWS (or <c>AWS_ENDPOINT_URL_S3</c>).</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Access key id; set together with <see cref="SecretKey"/>, or leave both unset for the SDK's credential chain.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key; never logged.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Signing region; unset means <c>AWS_REGION</c>, else <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>); unset means on for a custom endpoint, off for AWS.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>Blobs larger than this (bytes, as stored) are uploaded in parts.</summary>
    public long MultipartThreshold { get; set; } = 64L * 1024 * 1024;

    /// <summary>Size of each part of a multipart upload (bytes, at least 5 MiB as S3 requires); grown when a blob would need more than 10,000 parts.</summary>
    public long PartSize { get; set; } = 16L * 1024 * 1024;

    /// <summary>Parts uploaded at once.</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>Keys asked for per list request (S3 answers at most 1,000).</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>Check each upload's ETag against the MD5 of the bytes sent.</summary>
    /// <remarks>
    /// The server also checks the <c>Content-MD5</c> header sent with every upload. Turn this off only for buckets whose
    /// ETags are not MD5 digests (SSE-KMS or SSE-C encryption); the size of every upload is checked either way.
    /// </remarks>
    public bool VerifyETag { get; set; } = true;

    /// <summary>At start-up, multipart uploads under the prefix begun longer ago than this are aborted (left by a dead replica).</summary>
    public TimeSpan StaleUploadAge { get; set; } = TimeSpan.FromHours(24);
}
