namespace Maas.UnitTests.Registry;

/// <summary>What only the folder store has: blobs are plain files on the registry's own disk.</summary>
/// <remarks>
/// Folder-only on purpose: a file-system permission has no counterpart in a bucket (an S3 object is immutable by the
/// protocol, and the S3 store never hands out a path into the store: engines read a verified cache copy, see
/// <c>S3RegistryTests</c>). Everything store-agnostic runs on both backends in the parametrised classes.
/// </remarks>
public sealed class FolderStoreRegistryTests
{
    [Fact]
    public async Task PushAsync_StoredBlob_IsReadOnly()
    {
        await using var host = RegistryTestHost.Create();

        var version = await host.PushAsync("bert");

        var path = await host.Registry.GetArtifactPathAsync(version.Files[0].Sha256);
        Assert.Equal(((Maas.Tests.Shared.FolderStoreProbe)host.Blobs).BlobPath(version.Files[0].Sha256), path);
        Assert.True(File.GetAttributes(path).HasFlag(FileAttributes.ReadOnly));
    }
}
