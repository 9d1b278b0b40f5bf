using Maas.Core.Models;
using Maas.Registry.Metadata;
using Maas.Registry.Metadata.Migrations;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class RecoveryTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : RecoveryTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : RecoveryTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : RecoveryTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : RecoveryTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task InitializeAsync_OrphanedBlobsAndTempFiles_DeletesThemAndKeepsReferencedBlobs()
    {
        var data = RegistryTestHost.NewDataDirectory();
        var storage = await backend.NewStorageAsync();
        try
        {
            string kept;
            var orphan = new string('e', 64);
            await using (var first = RegistryTestHost.Open(data, storage))
            {
                kept = (await first.PushAsync("bert", "kept")).Files[0].Sha256;

                // What a process killed after publishing blobs (or mid-upload) leaves behind.
                await first.Blobs.WriteAsync(orphan, "orphan"u8.ToArray());
                first.Blobs.PlantStagingLeftover("upload.tmp", TimeSpan.Zero);
                first.Blobs.PlantStagingLeftover("dead.tmp", TimeSpan.FromHours(2));
            }

            await using var second = RegistryTestHost.Open(data, storage);
            await second.Registry.InitializeAsync();

            Assert.Equal([kept], await second.StoredBlobsAsync());

            // A database of its own means nothing else can be uploading: staging leftovers go. A shared (PostgreSQL)
            // database means another replica may be mid-upload into the same store: only what is older than a lease goes.
            string[] expected = backend.IsPostgres ? [Path.Combine(second.Blobs.StagingDirectory, "upload.tmp")] : [];
            Assert.Equal(expected, second.StagingEntries());
            Assert.Equal(1, (await second.Registry.ResolveAsync(ModelReference.Parse("bert"))).Version);
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(data);
            storage.Drop();
        }
    }

    [Fact]
    public async Task CheckConsistencyAsync_MissingAndUnreferencedBlobs_ReportsBoth()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var version = await host.PushAsync("bert", "will vanish");
        await host.Blobs.RemoveAsync(version.Files[0].Sha256);
        var orphan = new string('d', 64);
        await host.Blobs.WriteAsync(orphan, "orphan"u8.ToArray());

        var report = await host.Registry.CheckConsistencyAsync(repair: false);

        var missing = Assert.Single(report.MissingBlobs);
        Assert.Equal(("bert", 1, "model.onnx"), (missing.Model, missing.Version, missing.File));
        Assert.Equal(orphan, Assert.Single(report.UnreferencedBlobs));
        Assert.Equal(0, report.DeletedBlobs);
        Assert.True(await host.Blobs.ContainsAsync(orphan));

        var repaired = await host.Registry.CheckConsistencyAsync(repair: true);
        Assert.Equal(1, repaired.DeletedBlobs);
        Assert.Empty(await host.StoredBlobsAsync());
    }

    [Fact]
    public async Task InitializeAsync_Reopened_AppliesMigrationsOnceAndKeepsData()
    {
        var data = RegistryTestHost.NewDataDirectory();
        var storage = await backend.NewStorageAsync();
        try
        {
            await using (var first = RegistryTestHost.Open(data, storage))
            {
                await first.PushAsync("bert");
            }

            await using var second = RegistryTestHost.Open(data, storage);
            await second.Registry.InitializeAsync();
            await second.Registry.InitializeAsync();

            Assert.Equal(1, (await second.Registry.ResolveAsync(ModelReference.Parse("bert"))).Version);
            Assert.Equal(2, (await second.PushAsync("bert", "v2")).Version);
            Assert.Equal(RegistryMigrations.All.Count, await CountMigrationsAsync(second));
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(data);
            storage.Drop();
        }
    }

    [Fact]
    public async Task ApplyAsync_AlreadyApplied_AppliesNothing()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.Registry.InitializeAsync();
        var runner = host.Services.GetRequiredService<MigrationRunner>();

        Assert.Equal(0, await runner.ApplyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task InitializeAsync_ConcurrentFirstCalls_InitializeOnce()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => host.Registry.InitializeAsync())));

        Assert.Equal(RegistryMigrations.All.Count, await CountMigrationsAsync(host));
    }

    private static async Task<int> CountMigrationsAsync(RegistryTestHost host)
    {
        var database = host.Services.GetRequiredService<IMetadataDatabase>();
        await using var session = await DbSession.OpenAsync(database, CancellationToken.None);
        return DbValues.ToInt(await session.ScalarAsync("SELECT COUNT(*) FROM schema_migrations", CancellationToken.None));
    }
}
