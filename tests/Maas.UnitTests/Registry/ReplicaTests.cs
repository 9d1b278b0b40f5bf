using Maas.Core.Models;
using Maas.Registry.Metadata;
using Maas.Registry.Metadata.Migrations;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry;

/// <summary>Two registries (as two replicas would run them) over one database and one artifact store.</summary>
/// <remarks>Runs on each database × artifact store pair: SQLite (two processes sharing a file behave alike) and
/// PostgreSQL, the multi-replica database; a shared folder and a shared bucket.</remarks>
public abstract class ReplicaTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : ReplicaTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : ReplicaTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : ReplicaTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : ReplicaTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task InitializeAsync_TwoReplicasStartTogether_ApplyEachMigrationOnce()
    {
        await using var pair = await ReplicaPair.OpenAsync(backend, initialize: false);

        await Task.WhenAll(Task.Run(() => pair.A.Registry.InitializeAsync()), Task.Run(() => pair.B.Registry.InitializeAsync()));

        var database = pair.A.Services.GetRequiredService<IMetadataDatabase>();
        await using var session = await DbSession.OpenAsync(database, CancellationToken.None);
        var versions = await session.QueryAsync("SELECT version FROM schema_migrations ORDER BY version", r => DbValues.ToInt(r.GetValue(0)), CancellationToken.None);
        Assert.Equal(RegistryMigrations.All.Select(m => m.Version).Order(), versions);
    }

    [Fact]
    public async Task PushAsync_ConcurrentPushesThroughTwoReplicas_NumberVersionsWithoutCollisions()
    {
        await using var pair = await ReplicaPair.OpenAsync(backend);
        const int PerReplica = 12;

        var pushes = Enumerable.Range(0, PerReplica)
            .SelectMany(i => new[] { (Host: pair.A, Content: $"a {i}"), (Host: pair.B, Content: $"b {i}") })
            .Select(p => Task.Run(() => p.Host.PushAsync("bert", p.Content)));
        var versions = await Task.WhenAll(pushes);

        Assert.Equal(Enumerable.Range(1, 2 * PerReplica), versions.Select(v => v.Version).Order());
        var seenByA = await pair.A.Registry.GetModelAsync("bert");
        var seenByB = await pair.B.Registry.GetModelAsync("bert");
        Assert.Equal(2 * PerReplica, seenByA!.Versions.Count);
        Assert.Equal(seenByA.Versions.Select(v => (v.Version, v.Files[0].Sha256)), seenByB!.Versions.Select(v => (v.Version, v.Files[0].Sha256)));
    }

    [Fact]
    public async Task CheckConsistencyAsync_OtherReplicaMidPush_KeepsItsLeasedBlob()
    {
        await using var pair = await ReplicaPair.OpenAsync(backend);
        using var published = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);

        // Replica A's push stops after it has published its blob and before its version commits (manifest detection).
        pair.A.Signatures.Reader = _ =>
        {
            published.Release();
            Assert.True(release.Wait(TimeSpan.FromSeconds(30)));
            return FakeSignatureReader.TensorModel;
        };
        var push = Task.Run(() => pair.A.PushAsync("bert", "weights in flight"));
        Assert.True(await published.WaitAsync(TimeSpan.FromSeconds(30)));

        // Replica B sees an unreferenced blob; a repair (or, on the shared database, a replica starting up) must not delete it.
        var report = await pair.B.Registry.CheckConsistencyAsync(repair: true);
        if (backend.IsPostgres)
        {
            await using var starting = RegistryTestHost.Open(pair.DataDirectory, pair.Storage);
            await starting.Registry.InitializeAsync();
        }

        Assert.Single(report.UnreferencedBlobs);
        Assert.Equal(0, report.DeletedBlobs);
        release.Release();
        var version = await push;
        Assert.True(File.Exists(await pair.B.Registry.GetArtifactPathAsync(version.Files[0].Sha256)));
        Assert.True((await pair.B.Registry.CheckConsistencyAsync(repair: false)).IsConsistent);
        Assert.Equal(0, await CountLeasesAsync(pair.A));
    }

    [Fact]
    public async Task InitializeAsync_LeasesOfDeadProcesses_DeletesTheirBlobsAndLeases()
    {
        await using var pair = await ReplicaPair.OpenAsync(backend);
        var live = new string('a', 64);
        var dead = new string('d', 64);
        foreach (var digest in new[] { live, dead })
        {
            await pair.A.Blobs.WriteAsync(digest, System.Text.Encoding.UTF8.GetBytes(digest));
        }

        var now = DateTimeOffset.UtcNow;
        await InsertLeaseAsync(pair.A, live, "replica-a/1/live", now.AddMinutes(30));
        await InsertLeaseAsync(pair.A, dead, "replica-b/2/dead", now.AddMinutes(-1));

        await using (var restarted = RegistryTestHost.Open(pair.DataDirectory, pair.Storage))
        {
            await restarted.Registry.InitializeAsync();
        }

        // Shared (PostgreSQL): an unexpired lease may be another replica's push in flight. A database of its own
        // (SQLite): no other process can hold a lease at start-up, so every lease is a dead process's.
        Assert.Equal(backend.IsPostgres, await pair.A.Blobs.ContainsAsync(live));
        Assert.False(await pair.A.Blobs.ContainsAsync(dead));
        Assert.Equal(backend.IsPostgres ? 1 : 0, await CountLeasesAsync(pair.A));
    }

    [Fact]
    public async Task DeleteVersionAsync_OnOneReplica_OtherResolvesTheChange()
    {
        await using var pair = await ReplicaPair.OpenAsync(backend);
        await pair.A.PushAsync("bert", "v1");
        await pair.A.PushAsync("bert", "v2", alias: "production");

        await pair.B.Registry.SetAliasAsync("bert", "production", 1, "tester");
        await pair.A.Registry.DeleteVersionAsync("bert", 2, force: false, "tester");

        Assert.Equal(1, (await pair.B.Registry.ResolveAsync(ModelReference.Parse("bert"))).Version);
        Assert.Equal([1], (await pair.B.Registry.GetModelAsync("bert"))!.Versions.Select(v => v.Version));
        Assert.Single(await pair.B.StoredBlobsAsync());
    }

    private static async Task InsertLeaseAsync(RegistryTestHost host, string digest, string holder, DateTimeOffset expiresAt)
    {
        var database = host.Services.GetRequiredService<IMetadataDatabase>();
        await using var session = await DbSession.BeginWriteAsync(database, CancellationToken.None);
        await BlobLeaseSql.UpsertAsync(session, digest, holder, expiresAt, CancellationToken.None);
        await session.CommitAsync(CancellationToken.None);
    }

    private static async Task<int> CountLeasesAsync(RegistryTestHost host)
    {
        var database = host.Services.GetRequiredService<IMetadataDatabase>();
        await using var session = await DbSession.OpenAsync(database, CancellationToken.None);
        return DbValues.ToInt(await session.ScalarAsync("SELECT COUNT(*) FROM blob_leases", CancellationToken.None));
    }

    /// <summary>Two registries over one data folder, one database and one artifact store, deleted together.</summary>
    private sealed class ReplicaPair : IAsyncDisposable
    {
        private ReplicaPair(RegistryStorage storage)
        {
            Storage = storage;
            DataDirectory = RegistryTestHost.NewDataDirectory();
            A = RegistryTestHost.Open(DataDirectory, storage);
            B = RegistryTestHost.Open(DataDirectory, storage);
        }

        public string DataDirectory { get; }

        public RegistryStorage Storage { get; }

        public RegistryTestHost A { get; }

        public RegistryTestHost B { get; }

        public static async Task<ReplicaPair> OpenAsync(RegistryBackend backend, bool initialize = true)
        {
            var pair = new ReplicaPair(await backend.NewStorageAsync());
            if (initialize)
            {
                await pair.A.Registry.InitializeAsync();
                await pair.B.Registry.InitializeAsync();
            }

            return pair;
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            RegistryTestHost.DeleteDirectory(DataDirectory);
            Storage.Drop();
        }
    }
}
