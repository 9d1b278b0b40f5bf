using Maas.Registry;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>One registry's durable state on a <see cref="RegistryBackend"/>: a database (null: the data folder's SQLite
/// file) and an artifact store (null bucket: the data folder's <c>artifacts</c>), made together and dropped together.</summary>
public sealed class RegistryStorage
{
    /// <summary>The key prefix inside the bucket, so the store's own layout (not the bucket root) is what tests look at.</summary>
    public const string Prefix = "registry";

    private readonly S3rverServer? _s3;

    internal RegistryStorage(RegistryBackend backend, string? database, S3rverServer? s3, string? bucket)
    {
        Backend = backend;
        Database = database;
        _s3 = s3;
        Bucket = bucket;
    }

    public RegistryBackend Backend { get; }

    /// <summary>The PostgreSQL connection string, or null for the data folder's SQLite file.</summary>
    public string? Database { get; }

    /// <summary>The s3rver bucket the artifacts live in, or null for the folder store.</summary>
    public string? Bucket { get; }

    /// <summary>The SQLite file and the folder store in the host's data folder, the defaults.</summary>
    public static RegistryStorage SqliteFolder { get; } = new(RegistryBackend.SqliteFolder, null, null, null);

    /// <summary>Points the registry at this database and store.</summary>
    public void Configure(RegistryOptions options)
    {
        options.Database = Database;
        if (_s3 is not null && Bucket is not null)
        {
            _s3.Configure(Bucket, Prefix)(options);
        }
    }

    /// <summary>Looks into this store as a host over <paramref name="dataDirectory"/> uses it (the folder store and the S3
    /// store's staging live in the data folder).</summary>
    public ArtifactStoreProbe Probe(string dataDirectory) =>
        _s3 is not null && Bucket is not null
            ? new S3StoreProbe(_s3, Bucket, Prefix, dataDirectory)
            : FolderStoreProbe.ForDataDirectory(dataDirectory);

    public void Drop() => Backend.Drop(this);

    public override string ToString() => Backend.ToString();
}
