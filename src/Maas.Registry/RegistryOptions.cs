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

    /// <summary>Name of the artifact store plug-in; <c>folder</c> is the built-in one.</summary>
    public string ArtifactStore { get; set; } = "folder";

    /// <summary>How long a writer waits for the database's write lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Encryption of artifacts at rest (AES-256-GCM); off unless keys are configured.</summary>
    public ArtifactEncryptionOptions Encryption { get; set; } = new();

    /// <summary>Most bytes this replica's local artifact cache holds (copies of blobs a store cannot hand out as plain
    /// local files); least recently used copies that no loaded version uses are evicted beyond it. Default 20 GiB.</summary>
    public long CacheSize { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>The local artifact cache folder; default <c>&lt;DataDirectory&gt;/cache</c>.</summary>
    public string? CacheDirectory { get; set; }
}
