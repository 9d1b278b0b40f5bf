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

    /// <summary>Name of the artifact store plug-in; <c>folder</c> is the built-in one.</summary>
    public string ArtifactStore { get; set; } = "folder";

    /// <summary>How long a writer waits for the database's write lock before failing (SQLite busy timeout, PostgreSQL lock_timeout).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
