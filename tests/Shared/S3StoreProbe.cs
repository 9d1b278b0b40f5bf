using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Maas.Tests.Shared;

/// <summary>The S3 store's objects (<c>&lt;prefix&gt;/sha256/ab/&lt;digest&gt;</c> in the bucket, through AWSSDK.S3) and its
/// local staging folder <c>&lt;data&gt;/s3-staging</c>.</summary>
public sealed class S3StoreProbe(S3rverServer server, string bucket, string prefix, string dataDirectory) : ArtifactStoreProbe
{
    public override string Name => "s3";

    public override string StagingDirectory => Path.Combine(dataDirectory, "s3-staging");

    public string Key(string sha256) => $"{prefix}/sha256/{sha256[..2]}/{sha256}";

    public override async Task<IReadOnlyList<string>> BlobsAsync()
    {
        using var client = server.CreateClient();
        var digests = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix + "/sha256/" };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request);
            digests.AddRange((page.S3Objects ?? []).Select(o => o.Key[(o.Key.LastIndexOf('/') + 1)..]));
            if (page.IsTruncated != true)
            {
                return [.. digests.Order(StringComparer.Ordinal)];
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public override async Task<bool> ContainsAsync(string sha256)
    {
        using var client = server.CreateClient();
        try
        {
            await client.GetObjectMetadataAsync(bucket, Key(sha256));
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public override async Task<byte[]> ReadAsync(string sha256)
    {
        using var client = server.CreateClient();
        using var response = await client.GetObjectAsync(bucket, Key(sha256));
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public override async Task WriteAsync(string sha256, byte[] content)
    {
        using var client = server.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = Key(sha256), InputStream = new MemoryStream(content), UseChunkEncoding = false });
    }

    public override async Task RemoveAsync(string sha256)
    {
        using var client = server.CreateClient();
        await client.DeleteObjectAsync(bucket, Key(sha256));
    }
}
