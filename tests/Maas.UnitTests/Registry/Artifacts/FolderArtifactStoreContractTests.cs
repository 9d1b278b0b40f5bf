using Maas.Registry;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>The artifact-store contract on the folder store (the default), plus what only a local folder has.</summary>
public sealed class FolderArtifactStoreContractTests : ArtifactStoreContractTests
{
    [Fact]
    public async Task LocalPathOf_StoredBlob_IsThePlainFileUnderTheDataFolder()
    {
        var content = Bytes(64, seed: 1);
        var digest = await CommitAsync(content);

        var path = Store.LocalPathOf(digest);

        Assert.Equal(Path.Combine(DataDirectory, "artifacts", "sha256", digest[..2], digest), path);
        Assert.Equal(content, await File.ReadAllBytesAsync(path!));
    }

    protected override Task<(Action<RegistryOptions> Configure, ArtifactStoreProbe Probe)> SetUpAsync(string dataDirectory) =>
        Task.FromResult<(Action<RegistryOptions>, ArtifactStoreProbe)>((_ => { }, FolderStoreProbe.ForDataDirectory(dataDirectory)));
}
