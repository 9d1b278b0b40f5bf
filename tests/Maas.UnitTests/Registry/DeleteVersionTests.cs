using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class DeleteVersionTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : DeleteVersionTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : DeleteVersionTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : DeleteVersionTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : DeleteVersionTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task DeleteVersionAsync_Aliased_ThrowsConflictAndKeepsVersion()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", alias: "production");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.DeleteVersionAsync("bert", 1, force: false, "alice"));

        Assert.Equal(MaasErrorKind.Conflict, error.Kind);
        Assert.Contains("production", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await host.Registry.ResolveAsync(ModelReference.Parse("bert:1"))).Version);
        Assert.Single(await host.StoredBlobsAsync());
    }

    [Fact]
    public async Task DeleteVersionAsync_AliasedWithForce_DeletesVersionAliasAndBlob()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1", alias: "production");
        await host.PushAsync("bert", "v2");

        await host.Registry.DeleteVersionAsync("bert", 1, force: true, "alice");

        var details = (await host.Registry.GetModelAsync("bert"))!;
        Assert.Equal([2], details.Versions.Select(v => v.Version));
        Assert.Empty(details.Summary.Aliases);
        Assert.Single(await host.StoredBlobsAsync());
        await Assert.ThrowsAsync<MaasException>(() => host.Registry.ResolveAsync(ModelReference.Parse("bert:1")));
    }

    [Fact]
    public async Task DeleteVersionAsync_BlobSharedWithOtherVersion_KeepsBlobUntilLastReferenceGoes()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var first = await host.PushAsync("bert", "same weights");
        await host.PushAsync("bert", "same weights");
        var digest = first.Files[0].Sha256;

        await host.Registry.DeleteVersionAsync("bert", 1, force: false, "alice");
        Assert.True(await host.Blobs.ContainsAsync(digest));

        await host.Registry.DeleteVersionAsync("bert", 2, force: false, "alice");
        Assert.False(await host.Blobs.ContainsAsync(digest));
        Assert.True((await host.Registry.CheckConsistencyAsync(repair: false)).IsConsistent);
    }

    [Fact]
    public async Task DeleteVersionAsync_Deleted_NextPushContinuesNumbering()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1");
        await host.PushAsync("bert", "v2");
        await host.Registry.DeleteVersionAsync("bert", 1, force: false, "alice");

        var next = await host.PushAsync("bert", "v3");

        Assert.Equal(3, next.Version);
    }

    [Fact]
    public async Task DeleteVersionAsync_MissingVersion_ThrowsNotFound()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.DeleteVersionAsync("bert", 9, force: true, "alice"));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
    }
}
