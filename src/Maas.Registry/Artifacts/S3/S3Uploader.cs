using System.Buffers;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Maas.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts.S3;

/// <summary>Uploads one staged file to one key: a single PUT, or a multipart upload above the threshold; then checks what landed.</summary>
/// <remarks>
/// Every request carries <c>Content-MD5</c> (the server refuses bytes that arrive changed), each answer's ETag is
/// compared with that MD5 (<see cref="S3StoreOptions.VerifyETag"/>), and the stored object's size is read back. Bodies
/// are sent unchunked and signed: some S3-compatible servers keep aws-chunked framing as if it were content. A multipart
/// upload records its id in a marker file next to the staged file until it completes or is aborted, so the next start-up
/// can abort one a crash left behind.
/// </remarks>
internal sealed class S3Uploader(S3Connection connection, S3StoreOptions options, ILogger logger)
{
    public const string MarkerExtension = ".upload";
    private const int MaxParts = 10_000;
    private const int BufferSize = 128 * 1024;
    private const string ContentType = "application/octet-stream";

    public async Task UploadAsync(string key, string filePath, CancellationToken cancellationToken)
    {
        var length = new FileInfo(filePath).Length;
        if (length <= options.MultipartThreshold)
        {
            await PutAsync(key, filePath, length, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await MultipartAsync(key, filePath, length, cancellationToken).ConfigureAwait(false);
        }

        var head = await connection.Client.GetObjectMetadataAsync(connection.Bucket, key, cancellationToken).ConfigureAwait(false);
        if (head.Headers.ContentLength != length)
        {
            await FailVerificationAsync(key, $"stored size {head.Headers.ContentLength} bytes, sent {length}").ConfigureAwait(false);
        }
    }

    /// <summary>Aborts a multipart upload; false (logged) when the server refused or could not be reached.</summary>
    public async Task<bool> TryAbortAsync(string key, string uploadId)
    {
        try
        {
            await connection.Client.AbortMultipartUploadAsync(connection.Bucket, key, uploadId, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is AmazonS3Exception or HttpRequestException or IOException or TaskCanceledException)
        {
            S3Log.AbortFailed(logger, e, key, uploadId);
            return false;
        }
    }

    /// <summary>Reads a marker written by <see cref="MultipartAsync"/>: the key and the upload id.</summary>
    public static (string Key, string UploadId)? ReadMarker(string markerPath)
    {
        var lines = File.ReadAllLines(markerPath);
        return lines.Length >= 2 && lines[0].Length > 0 && lines[1].Length > 0 ? (lines[0], lines[1]) : null;
    }

    private async Task PutAsync(string key, string filePath, long length, CancellationToken cancellationToken)
    {
        var md5 = await Md5Async(filePath, 0, length, cancellationToken).ConfigureAwait(false);
        var response = await connection.Client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = connection.Bucket,
                Key = key,
                FilePath = filePath,
                ContentType = ContentType,
                MD5Digest = Convert.ToBase64String(md5),
                UseChunkEncoding = false,
            },
            cancellationToken).ConfigureAwait(false);
        if (!ETagMatches(response.ETag, md5))
        {
            await FailVerificationAsync(key, $"ETag {response.ETag} is not the MD5 of the bytes sent").ConfigureAwait(false);
        }
    }

    private async Task MultipartAsync(string key, string filePath, long length, CancellationToken cancellationToken)
    {
        var partSize = Math.Max(options.PartSize, (length + MaxParts - 1) / MaxParts);
        var partCount = (int)((length + partSize - 1) / partSize);
        var initiated = await connection.Client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = connection.Bucket, Key = key, ContentType = ContentType },
            cancellationToken).ConfigureAwait(false);
        var uploadId = initiated.UploadId;
        var marker = filePath + MarkerExtension;
        await File.WriteAllLinesAsync(marker, [key, uploadId], CancellationToken.None).ConfigureAwait(false);
        var settled = false;
        try
        {
            var etags = new PartETag[partCount];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.UploadConcurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, partCount), parallel, async (index, token) =>
            {
                var position = index * partSize;
                var size = Math.Min(partSize, length - position);
                var md5 = await Md5Async(filePath, position, size, token).ConfigureAwait(false);
                var part = await connection.Client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = connection.Bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = index + 1,
                        FilePath = filePath,
                        FilePosition = position,
                        PartSize = size,
                        IsLastPart = index == partCount - 1,
                        MD5Digest = Convert.ToBase64String(md5),
                        UseChunkEncoding = false,
                    },
                    token).ConfigureAwait(false);
                if (!ETagMatches(part.ETag, md5))
                {
                    throw new MaasException(MaasErrorKind.Internal, $"Part {index + 1} of an artifact upload failed verification (ETag is not the MD5 of the bytes sent).");
                }

                etags[index] = new PartETag(index + 1, part.ETag);
            }).ConfigureAwait(false);

            await connection.Client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest
                {
                    BucketName = connection.Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartETags = [.. etags],
                    MpuObjectSize = length,
                },
                cancellationToken).ConfigureAwait(false);
            settled = true;
            S3Log.UploadedMultipart(logger, key, length, partCount);
        }
        catch
        {
            settled = await TryAbortAsync(key, uploadId).ConfigureAwait(false);
            throw;
        }
        finally
        {
            // An upload that could not be aborted keeps its marker, so start-up tries again.
            if (settled)
            {
                File.Delete(marker);
            }
        }
    }

    private bool ETagMatches(string? etag, byte[] md5) =>
        !options.VerifyETag || string.Equals(etag?.Trim('"'), Convert.ToHexStringLower(md5), StringComparison.OrdinalIgnoreCase);

    private async Task FailVerificationAsync(string key, string reason)
    {
        S3Log.VerificationFailed(logger, key, reason);
        try
        {
            await connection.Client.DeleteObjectAsync(connection.Bucket, key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AmazonS3Exception)
        {
            // Still unreferenced: the registry's consistency check removes it.
        }

        throw new MaasException(MaasErrorKind.Internal, "An artifact upload to the S3 store failed verification (" + reason + ").");
    }

#pragma warning disable CA5351 // MD5 is what S3's Content-MD5 and ETags speak; integrity against transport errors, not security.
    private static async Task<byte[]> Md5Async(string filePath, long position, long size, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var file = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (file.ConfigureAwait(false))
            {
                file.Position = position;
                var left = size;
                while (left > 0)
                {
                    var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, left)), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException("A staged artifact file ended early.");
                    }

                    md5.AppendData(buffer, 0, read);
                    left -= read;
                }
            }

            return md5.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
