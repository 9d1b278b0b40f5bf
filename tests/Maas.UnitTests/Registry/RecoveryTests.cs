using Maas.Core.Models;
using Maas.Registry.Metadata;
using Maas.Registry.Metadata.Migrations;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on SQLite and on PostgreSQL (the nested classes); each test gets its own database.</summary>
public abstract class RecoveryTests(RegistryBackend backend)
{
    public sealed class Sqlite() : RecoveryTests(RegistryBackend.Sqlite);

    [Collection(PostgresCollection.Name)]
    public sealed class Postgres(PostgresCluster cluster) : RecoveryTests(RegistryBackend.Postgres(cluster));

    [Fact]
    public async Task InitializeAsync_OrphanedBlobsAndTempFiles_DeletesThemAndKeepsReferencedBlobs()
    {
        var data = RegistryTestHost.NewDataDirectory();
        var database = backend.NewDatabase();
        try
        {
            string kept;
            string orphan;
            await using (var first = RegistryTestHost.Open(data, database, backend))
            {
                var version = await first.PushAsync("bert", "kept");
                kept = await first.Registry.GetArtifactPathAsync(version.Files[0].Sha256);

                // What a process killed after publishing blobs (or mid-upload) leaves behind.
                orphan = Path.Combine(first.BlobRoot, "ee", new string('e', 64));
                Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
                await File.WriteAllTextAsync(orphan, "orphan");
                Directory.CreateDirectory(first.TempRoot);
                await File.WriteAllTextAsync(Path.Combine(first.TempRoot, "upload.tmp"), "half");
                var dead = Path.Combine(first.TempRoot, "dead.tmp");
                await File.WriteAllTextAsync(dead, "untouched for longer than a blob lease");
                File.SetLastWriteTimeUtc(dead, DateTime.UtcNow.AddHours(-2));
            }

            await using var second = RegistryTestHost.Open(data, database, backend);
            await second.Registry.InitializeAsync();

            Assert.True(File.Exists(kept));
            Assert.False(File.Exists(orphan));

            // A database of its own means nothing else can be uploading: staging leftovers go. A shared (PostgreSQL)
            // database means another replica may be mid-upload into the same store: only what is older than a lease goes.
            string[] expected = backend.IsPostgres ? [Path.Combine(second.TempRoot, "upload.tmp")] : [];
            Assert.Equal(expected, second.TempFiles());
            Assert.Equal(1, (await second.Registry.ResolveAsync(ModelReference.Parse("bert"))).Version);
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(data);
            backend.DropDatabase(database);
        }
    }

    [Fact]
    public async Task CheckConsistencyAsync_MissingAndUnreferencedBlobs_ReportsBoth()
    {
        await using var host = RegistryTestHost.Create(backend);
        var version = await host.PushAsync("bert", "will vanish");
        var path = await host.Registry.GetArtifactPathAsync(version.Files[0].Sha256);
        File.SetAttributes(path, FileAttributes.Normal);
        File.Delete(path);
        var orphan = Path.Combine(host.BlobRoot, "dd", new string('d', 64));
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllTextAsync(orphan, "orphan");

        var report = await host.Registry.CheckConsistencyAsync(repair: false);

        var missing = Assert.Single(report.MissingBlobs);
        Assert.Equal(("bert", 1, "model.onnx"), (missing.Model, missing.Version, missing.File));
        Assert.Equal(new string('d', 64), Assert.Single(report.UnreferencedBlobs));
        Assert.Equal(0, report.DeletedBlobs);
        Assert.True(File.Exists(orphan));

        var repaired = await host.Registry.CheckConsistencyAsync(repair: true);
        Assert.Equal(1, repaired.DeletedBlobs);
        Assert.False(File.Exists(orphan));
    }

    [Fact]
    public async Task InitializeAsync_Reopened_AppliesMigrationsOnceAndKeepsData()
    {
        var data = RegistryTestHost.NewDataDirectory();
        var database = backend.NewDatabase();
        try
        {
            await using (var first = RegistryTestHost.Open(data, database, backend))
            {
                await first.PushAsync("bert");
            }

            await using var second = RegistryTestHost.Open(data, database, backend);
            await second.Registry.InitializeAsync();
            await second.Registry.InitializeAsync();

            Assert.Equal(1, (await second.Registry.ResolveAsync(ModelReference.Parse("bert"))).Version);
            Assert.Equal(2, (await second.PushAsync("bert", "v2")).Version);
            Assert.Equal(RegistryMigrations.All.Count, await CountMigrationsAsync(second));
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(data);
            backend.DropDatabase(database);
        }
    }

    [Fact]
    public async Task ApplyAsync_AlreadyApplied_AppliesNothing()
    {
        await using var host = RegistryTestHost.Create(backend);
        await host.Registry.InitializeAsync();
        var runner = host.Services.GetRequiredService<MigrationRunner>();

        Assert.Equal(0, await runner.ApplyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task InitializeAsync_ConcurrentFirstCalls_InitializeOnce()
    {
        await using var host = RegistryTestHost.Create(backend);

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
