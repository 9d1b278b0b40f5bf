namespace Maas.Tests.Shared;

/// <summary>Looks at (and meddles with) an artifact store behind the registry's back, the same way for every store, so
/// one assertion runs on the folder store and on S3: list the stored blobs, plant an orphan, tamper with or remove a
/// stored blob, look into the local staging folder.</summary>
/// <remarks>Blobs are named by digest and handled as the bytes at rest (encoded when the store encrypts).</remarks>
public abstract class ArtifactStoreProbe
{
    /// <summary>The store's name in test output: <c>folder</c> or <c>s3</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The local folder uploads are staged in before they are committed (the folder store's <c>tmp</c>, the S3
    /// store's <c>s3-staging</c>).</summary>
    public abstract string StagingDirectory { get; }

    /// <summary>Digests of every stored blob, in ordinal order.</summary>
    public abstract Task<IReadOnlyList<string>> BlobsAsync();

    public abstract Task<bool> ContainsAsync(string sha256);

    /// <summary>The bytes stored under <paramref name="sha256"/>, as they are at rest.</summary>
    public abstract Task<byte[]> ReadAsync(string sha256);

    /// <summary>Stores <paramref name="content"/> under <paramref name="sha256"/> whatever its real digest: plants an
    /// orphan (what a process killed after publishing leaves) or replaces a stored blob (tampering).</summary>
    public abstract Task WriteAsync(string sha256, byte[] content);

    /// <summary>Deletes a stored blob as data loss would (no registry bookkeeping).</summary>
    public abstract Task RemoveAsync(string sha256);

    /// <summary>Flips one bit of a stored blob at <paramref name="offset"/>.</summary>
    public async Task TamperAsync(string sha256, int offset)
    {
        var bytes = await ReadAsync(sha256);
        bytes[offset] ^= 0x01;
        await WriteAsync(sha256, bytes);
    }

    /// <summary>Files and folders in the staging folder (none when it does not exist).</summary>
    public IReadOnlyList<string> StagingEntries() =>
        Directory.Exists(StagingDirectory) ? [.. Directory.GetFileSystemEntries(StagingDirectory).Order(StringComparer.Ordinal)] : [];

    /// <summary>Leaves a file in the staging folder as a process that died mid-upload would, last written <paramref name="age"/> ago.</summary>
    public string PlantStagingLeftover(string name, TimeSpan age)
    {
        Directory.CreateDirectory(StagingDirectory);
        var path = Path.Combine(StagingDirectory, name);
        File.WriteAllText(path, "half an upload");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    public override string ToString() => Name;
}
