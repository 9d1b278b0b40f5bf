using System.Buffers;
using System.Security.Cryptography;
using Maas.Core.Errors;

namespace Maas.Registry.Artifacts;

/// <summary>
/// The replica-local side of the artifact store: verifies a plain local blob in place, or copies a blob out of the
/// store into <c>&lt;data&gt;/cache/sha256/ab/&lt;64-hex&gt;</c> (temporary file, verify, rename) and verifies it there.
/// </summary>
/// <remarks>Not yet size-bounded: eviction of cached copies no loaded version uses is the artifacts work's to add.</remarks>
internal sealed class ArtifactCache : IArtifactCache
{
    private const int BufferSize = 128 * 1024;

    private readonly IArtifactStore _store;
    private readonly string _root;

    public ArtifactCache(IArtifactStore store, RegistryPaths paths)
    {
        _store = store;
        _root = Path.Combine(paths.DataDirectory, "cache", "sha256");
    }

    public async Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken = default)
    {
        Sha256Digest.Validate(sha256);
        var local = _store.LocalPathOf(sha256);
        if (local is not null)
        {
            if (!File.Exists(local))
            {
                throw MaasException.NotFound($"artifact '{sha256}' not found");
            }

            await VerifyAsync(local, sha256, cancellationToken).ConfigureAwait(false);
            return local;
        }

        var cached = Path.Combine(_root, sha256[..2], sha256);
        if (File.Exists(cached))
        {
            await VerifyAsync(cached, sha256, cancellationToken).ConfigureAwait(false);
            return cached;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        var temp = cached + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            var source = await _store.OpenReadAsync(sha256, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                await using (target.ConfigureAwait(false))
                {
                    await source.CopyToAsync(target, BufferSize, cancellationToken).ConfigureAwait(false);
                }
            }

            await VerifyAsync(temp, sha256, cancellationToken).ConfigureAwait(false);
            File.Move(temp, cached, overwrite: true);
            return cached;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static async Task VerifyAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        var actual = await HashAsync(path, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(actual, sha256, StringComparison.Ordinal))
        {
            throw new ArtifactIntegrityException(sha256, actual);
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (file.ConfigureAwait(false))
            {
                int read;
                while ((read = await file.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
