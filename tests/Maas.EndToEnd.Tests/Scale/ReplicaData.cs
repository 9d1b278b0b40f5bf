using Maas.Tests.Shared;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>Where the replicas keep what they share (the registry database and the artifacts) and what is their own
/// (data folder for caches, uploads and job work folders): one place to switch the scale-out tests to another backend.</summary>
public abstract class ReplicaData : IDisposable
{
    /// <summary>The data folder of replica <paramref name="index"/> (<c>--data</c>).</summary>
    public abstract string DataDirectory(int index);

    /// <summary>Extra settings of replica <paramref name="index"/> (<c>Maas:Section:Key=value</c>).</summary>
    public abstract IReadOnlyList<string> Settings(int index);

    public abstract void Dispose();
}

/// <summary>The default backend: one SQLite file and one artifact folder, shared by every replica through one data
/// folder; each replica's job work folder is its own.</summary>
internal sealed class SharedFolderReplicaData : ReplicaData
{
    private readonly string _root = Infrastructure.TempFolder.Create("maas-scale");

    public override string DataDirectory(int index) => Path.Combine(_root, "shared");

    public override IReadOnlyList<string> Settings(int index) =>
        [$"Maas:Jobs:WorkDirectory={Path.Combine(_root, $"replica{index}", "jobs")}"];

    public override void Dispose() => Infrastructure.TempFolder.Delete(_root);
}

/// <summary>The scale-out backend: a fresh PostgreSQL database (<c>Maas:Registry:Database</c>) and one s3rver bucket
/// (<c>Maas:Registry:Artifacts=s3://bucket/prefix</c> with the endpoint and credentials as <c>Maas:Registry:S3:*</c>)
/// shared by every replica; each replica has its own data folder, so its own artifact cache, uploads and job folders.</summary>
internal sealed class PostgresS3ReplicaData : ReplicaData
{
    private readonly string _root = Infrastructure.TempFolder.Create("maas-scale-pg");
    private readonly PostgresCluster _postgres;
    private readonly string _database;
    private readonly IReadOnlyList<string> _shared;

    private PostgresS3ReplicaData(PostgresCluster postgres, string database, string bucket, IEnumerable<string> s3Settings)
    {
        Bucket = bucket;
        _postgres = postgres;
        _database = database;
        _shared = [$"Maas:Registry:Database={database}", .. s3Settings];
    }

    public static async Task<ReplicaData> CreateAsync(PostgresCluster postgres, S3rverServer s3)
    {
        var bucket = await s3.CreateBucketAsync();
        return new PostgresS3ReplicaData(postgres, postgres.CreateDatabase(), bucket, s3.Settings(bucket, Prefix));
    }

    public const string Prefix = "replicas";

    /// <summary>The bucket every replica's artifacts go to (under <see cref="Prefix"/>).</summary>
    public string Bucket { get; }

    public override string DataDirectory(int index) => Path.Combine(_root, $"replica{index}");

    public override IReadOnlyList<string> Settings(int index) => _shared;

    public override void Dispose()
    {
        _postgres.DropDatabase(_database);
        Infrastructure.TempFolder.Delete(_root);
    }
}
