using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>What a registry test class runs against: a metadata database (a SQLite file in the host's data folder, or a
/// fresh database in the run's private PostgreSQL cluster) paired with an artifact store (the data folder's
/// <c>artifacts</c>, or a fresh bucket on the run's s3rver).</summary>
/// <remarks>
/// The suite runs on <see cref="SqliteFolder"/> (the single-machine default), <see cref="PostgresS3"/> (scale-out) and
/// <see cref="SqliteS3"/> (cheap: no database to create). <see cref="PostgresFolder"/> (replicas sharing a folder) costs
/// about 80 s more of the serial PostgreSQL collection on CI's two cores, so it runs when the test project is built with
/// <c>-p:AllBackendPairs=true</c>. Tests see the store only through <see cref="RegistryStorage.Probe"/>, so the same
/// assertions hold for every pair.
/// </remarks>
public sealed class RegistryBackend
{
    private readonly PostgresCluster? _cluster;
    private readonly S3rverFixture? _s3;

    private RegistryBackend(PostgresCluster? cluster, S3rverFixture? s3) => (_cluster, _s3) = (cluster, s3);

    public static RegistryBackend SqliteFolder { get; } = new(null, null);

    public bool IsPostgres => _cluster is not null;

    public bool IsS3 => _s3 is not null;

    public static RegistryBackend PostgresS3(PostgresCluster cluster, S3rverFixture s3) =>
        new(cluster ?? throw new ArgumentNullException(nameof(cluster)), s3 ?? throw new ArgumentNullException(nameof(s3)));

    public static RegistryBackend PostgresFolder(PostgresCluster cluster) => new(cluster ?? throw new ArgumentNullException(nameof(cluster)), null);

    public static RegistryBackend SqliteS3(S3rverFixture s3) => new(null, s3 ?? throw new ArgumentNullException(nameof(s3)));

    /// <summary>A new, empty database and artifact store, for one host or for several that share them (replicas).</summary>
    public async Task<RegistryStorage> NewStorageAsync()
    {
        var bucket = _s3 is null ? null : await _s3.Server.CreateBucketAsync();
        return new RegistryStorage(this, _cluster?.CreateDatabase(), _s3?.Server, bucket);
    }

    internal void Drop(RegistryStorage storage)
    {
        if (storage.Database is not null)
        {
            _cluster?.DropDatabase(storage.Database);
        }
    }

    public override string ToString() => (IsPostgres ? "postgresql" : "sqlite") + "+" + (IsS3 ? "s3" : "folder");
}
