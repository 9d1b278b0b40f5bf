using Maas.Core.Errors;
using System.Buffers;
using System.Security.Cryptography;

namespace Maas.Registry.Artifacts;

/// <summary>Stores blobs as read-only files under <c>&lt;data&gt;/artifacts/sha256/ab/&lt;64-hex&gt;</c>, in the
/// <see cref="IArtifactCodec"/>'s at-rest form (plain by default, or encrypted).</summary>
/// <remarks>
/// Uploads land in <c>artifacts/tmp</c> (same volume, so the final rename is atomic) and are flushed to disk
/// before the rename: a blob visible under its digest is always complete. The digest is of the plain bytes, whatever
/// the codec; only plain blobs are handed to engines as the store's own files (<see cref="LocalPathOf"/>).
/// </remarks>
internal sealed class FolderArtifactStore : IArtifactStore, IArtifactReplacer
{
    public const string StoreName = "folder";

    private const int BufferSize = 128 * 1024;
    private const string TempExtension = ".tmp";

    private readonly string _blobRoot;
    private readonly string _tempRoot;
    private readonly IArtifactCodec _codec;

    public FolderArtifactStore(RegistryPaths paths, IArtifactCodec codec)
    {
        _codec = codec;
        Location = paths.ArtifactsDirectory;
        _blobRoot = Path.Combine(paths.ArtifactsDirectory, "sha256");
        _tempRoot = Path.Combine(paths.ArtifactsDirectory, "tmp");
    }

    public string Name => StoreName;

    public string Location { get; }

    public async Task<StagedArtifact> StageAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(_tempRoot);
        var stagingId = Guid.NewGuid().ToString("N") + TempExtension;
        var tempPath = Path.Combine(_tempRoot, stagingId);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;

            // Closing the durable file flushes it to disk: the rename in CommitAsync must never publish bytes that a
            // power cut could still lose, and a codec writes its last bytes only when closed.
            var stored = _codec.OpenWriter(new DurableFileStream(tempPath, BufferSize));
            await using (stored.ConfigureAwait(false))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await stored.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }
            }

            return new StagedArtifact(Convert.ToHexStringLower(hash.GetHashAndReset()), size, stagingId);
        }
        catch
        {
            TryDeleteFile(tempPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task<bool> CommitAsync(StagedArtifact staged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var tempPath = TempPath(staged);
        var finalPath = BlobPath(staged.Sha256);
        if (File.Exists(finalPath))
        {
            File.Delete(tempPath);
            return Task.FromResult(false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        try
        {
            File.Move(tempPath, finalPath, overwrite: false);
        }
        catch (IOException) when (File.Exists(finalPath))
        {
            // Another writer published the same bytes between the check and the move.
            File.Delete(tempPath);
            return Task.FromResult(false);
        }

        File.SetAttributes(finalPath, FileAttributes.ReadOnly);
        return Task.FromResult(true);
    }

    public Task DiscardAsync(StagedArtifact staged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staged);
        TryDeleteFile(TempPath(staged));
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(BlobPath(sha256)));

    public Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var path = BlobPath(sha256);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        // Windows refuses to delete read-only files; on Unix this is harmless.
        File.SetAttributes(path, FileAttributes.Normal);
        File.Delete(path);
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var digests = new List<string>();
        if (Directory.Exists(_blobRoot))
        {
            foreach (var path in Directory.EnumerateFiles(_blobRoot, "*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = Path.GetFileName(path);
                if (Sha256Digest.IsValid(name) && string.Equals(path, BlobPath(name), StringComparison.Ordinal))
                {
                    digests.Add(name);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(digests);
    }

    public Task<int> ClearStagingAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        if (Directory.Exists(_tempRoot))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(_tempRoot))
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.SetAttributes(path, FileAttributes.Normal);
                    File.Delete(path);
                }

                count++;
            }
        }

        return Task.FromResult(count);
    }

    public Task<int> ClearStagingAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        var count = 0;
        if (Directory.Exists(_tempRoot))
        {
            foreach (var path in Directory.EnumerateFiles(_tempRoot))
            {
                if (File.GetLastWriteTimeUtc(path) < olderThan.UtcDateTime)
                {
                    TryDeleteFile(path);
                    count += File.Exists(path) ? 0 : 1;
                }
            }
        }

        return Task.FromResult(count);
    }

    public Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var path = BlobPath(sha256);
        try
        {
            return Task.FromResult(_codec.OpenReader(OpenFile(path)));
        }
        catch (FileNotFoundException)
        {
            throw MaasException.NotFound($"artifact '{sha256}' not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw MaasException.NotFound($"artifact '{sha256}' not found");
        }
    }

    public string? LocalPathOf(string sha256) => _codec.IsIdentity ? BlobPath(sha256) : null;

    public async Task<bool> ReplaceAsync(StagedArtifact staged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var tempPath = TempPath(staged);
        var finalPath = BlobPath(staged.Sha256);
        try
        {
            // The new copy must read back as the digest before it may take the old one's place.
            var reader = _codec.OpenReader(OpenFile(tempPath));
            await using (reader.ConfigureAwait(false))
            {
                var actual = await Sha256Digest.HashAsync(reader, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(actual, staged.Sha256, StringComparison.Ordinal))
                {
                    throw new ArtifactIntegrityException(staged.Sha256, actual);
                }
            }

            if (!File.Exists(finalPath))
            {
                return false;
            }

            // rename(2) replaces atomically: readers see the old file or the new one, never a mix.
            File.Move(tempPath, finalPath, overwrite: true);
            File.SetAttributes(finalPath, FileAttributes.ReadOnly);
            return true;
        }
        catch (InvalidDataException e)
        {
            throw ArtifactIntegrityException.Unreadable(staged.Sha256, e);
        }
        finally
        {
            TryDeleteFile(tempPath);
        }
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private string BlobPath(string sha256)
    {
        Sha256Digest.Validate(sha256);
        return Path.Combine(_blobRoot, sha256[..2], sha256);
    }

    private string TempPath(StagedArtifact staged)
    {
        // The id came from StageAsync; refusing anything else keeps a forged id from naming a path outside tmp.
        if (Path.GetFileName(staged.StagingId) != staged.StagingId || !staged.StagingId.EndsWith(TempExtension, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{staged.StagingId}' is not a staging id of this store.", nameof(staged));
        }

        return Path.Combine(_tempRoot, staged.StagingId);
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for start-up recovery, which empties tmp.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
