using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Maas.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts.S3;

/// <summary>Stores blobs as objects <c>&lt;prefix&gt;sha256/ab/&lt;64-hex&gt;</c> in an S3 bucket (any S3-compatible server).</summary>
/// <remarks>
/// Staging is local: the plain bytes are hashed while they are written, through the codec, to a file under
/// <c>&lt;data&gt;/s3-staging</c>; commit uploads that file (skipped when the key already exists) and checks what landed
/// (<see cref="S3Uploader"/>). Engines never read the bucket: <see cref="LocalPathOf"/> is null, so the registry's
/// <see cref="IArtifactCache"/> copies a blob to local disk and verifies its digest first. The client is created on
/// first use, so hosts that register this store but select another never need S3 settings.
/// </remarks>
internal sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    public const string StoreName = "s3";

    private const int BufferSize = 128 * 1024;
    private const string StagingExtension = ".stage";

    private readonly RegistryOptions _options;
    private readonly IArtifactCodec _codec;
    private readonly ILogger<S3ArtifactStore> _logger;
    private readonly TimeProvider _time;
    private readonly string _stagingRoot;
    private readonly Lazy<S3Connection> _connection;

    public S3ArtifactStore(RegistryOptions options, RegistryPaths paths, IArtifactCodec codec, TimeProvider time, ILogger<S3ArtifactStore> logger)
    {
        _options = options;
        _codec = codec;
        _time = time;
        _logger = logger;
        _stagingRoot = paths.S3StagingDirectory;
        _connection = new Lazy<S3Connection>(Connect, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name => StoreName;

    public string Location => ArtifactStoreSelection.S3LocationOf(_options)?.ToString() ?? "(no s3:// location configured)";

    private S3Connection Connection => _connection.Value;

    public async Task<StagedArtifact> StageAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(_stagingRoot);
        var stagingId = Guid.NewGuid().ToString("N") + StagingExtension;
        var path = Path.Combine(_stagingRoot, stagingId);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            Stream writer;
            try
            {
                writer = _codec.OpenWriter(file);
            }
            catch
            {
                await file.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await using (writer.ConfigureAwait(false))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }
            }

            return new StagedArtifact(Convert.ToHexStringLower(hash.GetHashAndReset()), size, stagingId);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<bool> CommitAsync(StagedArtifact staged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var path = StagingPath(staged);
        var key = Connection.BlobKey(staged.Sha256);
        try
        {
            if (await ExistsAsync(staged.Sha256, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            await new S3Uploader(Connection, _options.S3, _logger).UploadAsync(key, path, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(e);
        }
        finally
        {
            TryDelete(path);
        }
    }

    public Task DiscardAsync(StagedArtifact staged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staged);
        TryDelete(StagingPath(staged));
        return Task.CompletedTask;
    }

    public async Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var key = Connection.BlobKey(sha256);
        try
        {
            await Connection.Client.GetObjectMetadataAsync(Connection.Bucket, key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(e);
        }
    }

    public async Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken = default)
    {
        // S3 deletes answer the same whether or not the key was there; the caller wants to know.
        if (!await ExistsAsync(sha256, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await Connection.Client.DeleteObjectAsync(Connection.Bucket, Connection.BlobKey(sha256), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(e);
        }

        return true;
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var digests = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Connection.Bucket, Prefix = Connection.BlobPrefix, MaxKeys = _options.S3.ListPageSize };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await Connection.Client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsUnreachable(e, cancellationToken))
            {
                throw Unavailable(e);
            }

            foreach (var item in page.S3Objects ?? [])
            {
                if (Connection.DigestOf(item.Key) is { } digest)
                {
                    digests.Add(digest);
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                return digests;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task<int> ClearStagingAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        var uploader = new S3Uploader(Connection, _options.S3, _logger);
        if (Directory.Exists(_stagingRoot))
        {
            // First the multipart uploads this replica's dead process left (their markers name them), then the files.
            foreach (var marker in Directory.EnumerateFiles(_stagingRoot, "*" + S3Uploader.MarkerExtension))
            {
                if (S3Uploader.ReadMarker(marker) is { } upload && await uploader.TryAbortAsync(upload.Key, upload.UploadId).ConfigureAwait(false))
                {
                    S3Log.StaleUploadAborted(_logger, upload.Key, upload.UploadId);
                }
            }

            foreach (var path in Directory.EnumerateFileSystemEntries(_stagingRoot))
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }

                count++;
            }
        }

        return count + await AbortStaleUploadsAsync(uploader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes staging leftovers untouched since <paramref name="olderThan"/> (first aborting the multipart uploads
    /// their markers name), then the prefix's multipart uploads older than <see cref="S3StoreOptions.StaleUploadAge"/>.</summary>
    /// <remarks>
    /// Called at start-up on a shared (PostgreSQL) database. Staging is on this replica's disk, but replicas started over one
    /// data folder share it, and a live upload of theirs cannot be told from a dead one's except by age: as in the folder
    /// store, only what is as old as a blob lease goes. Without this a replica's dead uploads would stay on its disk forever.
    /// </remarks>
    public async Task<int> ClearStagingAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        var count = 0;
        var uploader = new S3Uploader(Connection, _options.S3, _logger);
        if (Directory.Exists(_stagingRoot))
        {
            var cutoff = olderThan.UtcDateTime;
            foreach (var marker in Directory.EnumerateFiles(_stagingRoot, "*" + S3Uploader.MarkerExtension))
            {
                if (File.GetLastWriteTimeUtc(marker) < cutoff
                    && S3Uploader.ReadMarker(marker) is { } upload
                    && await uploader.TryAbortAsync(upload.Key, upload.UploadId).ConfigureAwait(false))
                {
                    S3Log.StaleUploadAborted(_logger, upload.Key, upload.UploadId);
                }
            }

            foreach (var path in Directory.EnumerateFiles(_stagingRoot))
            {
                if (File.GetLastWriteTimeUtc(path) < cutoff)
                {
                    TryDelete(path);
                    count += File.Exists(path) ? 0 : 1;
                }
            }
        }

        return count + await AbortStaleUploadsAsync(uploader, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var key = Connection.BlobKey(sha256);
        GetObjectResponse response;
        try
        {
            response = await Connection.Client.GetObjectAsync(Connection.Bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw MaasException.NotFound($"artifact '{sha256}' not found");
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(e);
        }

        return _codec.OpenReader(new S3ResponseStream(response));
    }

    /// <summary>Always null: bucket objects are not local files; <see cref="IArtifactCache"/> copies them out first.</summary>
    public string? LocalPathOf(string sha256)
    {
        Sha256Digest.Validate(sha256);
        return null;
    }

    public void Dispose()
    {
        if (_connection.IsValueCreated)
        {
            _connection.Value.Dispose();
        }
    }

    /// <summary>Aborts multipart uploads under the prefix older than <see cref="S3StoreOptions.StaleUploadAge"/> (another replica's, or lost markers).</summary>
    /// <remarks>Only old ones: other replicas may be uploading right now. Servers without the list operation are left to a lifecycle rule.</remarks>
    private async Task<int> AbortStaleUploadsAsync(S3Uploader uploader, CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow().UtcDateTime - _options.S3.StaleUploadAge;
        var aborted = 0;
        var request = new ListMultipartUploadsRequest { BucketName = Connection.Bucket, Prefix = Connection.BlobPrefix };
        try
        {
            while (true)
            {
                var page = await Connection.Client.ListMultipartUploadsAsync(request, cancellationToken).ConfigureAwait(false);
                foreach (var upload in page.MultipartUploads ?? [])
                {
                    if (upload.Initiated is { } initiated && initiated.ToUniversalTime() < cutoff
                        && await uploader.TryAbortAsync(upload.Key, upload.UploadId).ConfigureAwait(false))
                    {
                        S3Log.StaleUploadAborted(_logger, upload.Key, upload.UploadId);
                        aborted++;
                    }
                }

                if (page.IsTruncated != true)
                {
                    return aborted;
                }

                request.KeyMarker = page.NextKeyMarker;
                request.UploadIdMarker = page.NextUploadIdMarker;
            }
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed)
        {
            S3Log.ListUploadsUnsupported(_logger, e.ErrorCode ?? e.StatusCode.ToString());
            return aborted;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>A failure of the bucket or the way to it (not of the caller's request, not a cancellation by the caller).</summary>
    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>503 for the client, with the server's error code (AccessDenied, NoSuchBucket …) for the operator; no credentials, no keys.</summary>
    private MaasException Unavailable(Exception e)
    {
        var reason = e switch
        {
            AmazonServiceException { ErrorCode: { Length: > 0 } code } => code,
            AmazonServiceException service => $"HTTP {(int)service.StatusCode}",
            OperationCanceledException => "timed out",
            _ => "could not connect",
        };
        return new MaasException(MaasErrorKind.Unavailable, $"The artifact store {Location} is unavailable ({reason}).", e);
    }

    private S3Connection Connect()
    {
        var location = ArtifactStoreSelection.S3LocationOf(_options)
            ?? throw new InvalidOperationException("The 's3' artifact store needs Maas:Registry:Artifacts = s3://BUCKET[/PREFIX].");
        var connection = S3Connection.Create(location, _options.S3);
        var credentials = !string.IsNullOrEmpty(_options.S3.AccessKey) ? "Maas:Registry:S3:AccessKey" : "the AWS SDK's credential chain";
        S3Log.Configured(_logger, connection.Bucket, location.Prefix, connection.Endpoint, connection.PathStyle, credentials);
        return connection;
    }

    private string StagingPath(StagedArtifact staged)
    {
        // The id came from StageAsync; refusing anything else keeps a forged id from naming a path outside the staging folder.
        if (Path.GetFileName(staged.StagingId) != staged.StagingId || !staged.StagingId.EndsWith(StagingExtension, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{staged.StagingId}' is not a staging id of this store.", nameof(staged));
        }

        return Path.Combine(_stagingRoot, staged.StagingId);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for start-up, which empties the staging folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
