namespace Maas.Tests.Shared;

/// <summary>The folder store's files: blobs at <c>&lt;root&gt;/sha256/ab/&lt;digest&gt;</c> (read-only), staging in <c>&lt;root&gt;/tmp</c>.</summary>
/// <param name="root">The store's folder, by default <c>&lt;data&gt;/artifacts</c>.</param>
public sealed class FolderStoreProbe(string root) : ArtifactStoreProbe
{
    public static FolderStoreProbe ForDataDirectory(string dataDirectory) => new(Path.Combine(dataDirectory, "artifacts"));

    public override string Name => "folder";

    public override string StagingDirectory => Path.Combine(root, "tmp");

    private string BlobRoot => Path.Combine(root, "sha256");

    public string BlobPath(string sha256) => Path.Combine(BlobRoot, sha256[..2], sha256);

    public override Task<IReadOnlyList<string>> BlobsAsync() => Task.FromResult<IReadOnlyList<string>>(
        Directory.Exists(BlobRoot)
            ? [.. Directory.EnumerateFiles(BlobRoot, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)]
            : []);

    public override Task<bool> ContainsAsync(string sha256) => Task.FromResult(File.Exists(BlobPath(sha256)));

    public override Task<byte[]> ReadAsync(string sha256) => File.ReadAllBytesAsync(BlobPath(sha256));

    public override async Task WriteAsync(string sha256, byte[] content)
    {
        var path = BlobPath(sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            // Stored blobs are read-only; someone with access to the disk can still change them.
            File.SetAttributes(path, FileAttributes.Normal);
        }

        await File.WriteAllBytesAsync(path, content);
    }

    public override Task RemoveAsync(string sha256)
    {
        var path = BlobPath(sha256);
        File.SetAttributes(path, FileAttributes.Normal);
        File.Delete(path);
        return Task.CompletedTask;
    }
}
