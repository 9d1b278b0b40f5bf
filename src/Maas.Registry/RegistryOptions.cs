using Maas.Registry.Artifacts.S3;

namespace Maas.Registry;

/// <summary>Where the registry keeps its metadata database and artifacts.</summary>
/// <remarks>
/// Bound from the <c>Maas:Registry</c> configuration section by the host. Layout under
/// <see cref="DataDirectory"/>: the SQLite database file and <c>artifacts/</c> (content-addressed blobs
/// under <c>artifacts/sha256/</c>, in-flight uploads under <c>artifacts/tmp/</c>).
/// </remarks>
public sealed class RegistryOptions
{
    /// <summary>Root folder of the registry's data; created when missing.</summary>
    public string DataDirectory { get; set; } = "./maas-data";

    /// <summary>SQLite database file, relative to <see cref="DataDirectory"/> unless rooted.</summary>
    public string DatabaseFile { get; set; } = "registry.db";

    /// <summary>Where blobs live: <c>folder</c> (default, <c>&lt;data&gt;/artifacts</c>), a folder path, or <c>s3://BUCKET[/PREFIX]</c>.</summary>
    /// <remarks>A relative folder path is resolved against <see cref="DataDirectory"/>; S3 connection settings are in <see cref="S3"/>.</remarks>
    public string? Artifacts { get; set; }

    /// <summary>Name of the artifact store plug-in (<c>folder</c>, <c>s3</c>, or a host's own); unset means the one <see cref="Artifacts"/> implies.</summary>
    /// <remarks>When both are set they must agree: <c>s3</c> exactly when <see cref="Artifacts"/> is an <c>s3://</c> URL.</remarks>
    public string? ArtifactStore { get; set; }

    /// <summary>Connection and upload settings used when the artifacts live in an S3 bucket.</summary>
    public S3StoreOptions S3 { get; set; } = new();

    /// <summary>
    /// The metadata database: a SQLite file path (relative to <see cref="DataDirectory"/> unless rooted), or a PostgreSQL
    /// connection string (<c>Host=db;Username=maas;Password=...;Database=maas</c>) or URL (<c>postgres://maas@db/maas</c>)
    /// shared by every replica. Unset: the SQLite file <see cref="DatabaseFile"/>.
    /// </summary>
    /// <remarks>PostgreSQL pools at most 20 connections per replica unless the string sets <c>Maximum Pool Size</c>.</remarks>
    public string? Database { get; set; }

    /// <summary>How long a push's database lease on a blob it has published, but not yet committed a version for, keeps
    /// garbage collection on every replica away from that blob; a crashed push's blobs become collectable after it.</summary>
    public TimeSpan BlobLeaseDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a writer waits for the database's write lock before failing (SQLite busy timeout, PostgreSQL lock_timeout).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Encryption of artifacts at rest (AES-256-GCM); off unless keys are configured.</summary>
    public ArtifactEncryptionOptions Encryption { get; set; } = new();

    /// <summary>Most bytes this replica's local artifact cache holds (copies of blobs a store cannot hand out as plain
    /// local files); least recently used copies that no loaded version uses are evicted beyond it. Default 20 GiB.</summary>
    public long CacheSize { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>The local artifact cache folder; default <c>&lt;DataDirectory&gt;/cache</c>.</summary>
    public string? CacheDirectory { get; set; }
}
