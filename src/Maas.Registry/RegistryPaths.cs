namespace Maas.Registry;

/// <summary>Absolute paths derived from <see cref="RegistryOptions"/>, computed once so every component agrees.</summary>
internal sealed class RegistryPaths
{
    public RegistryPaths(RegistryOptions options)
    {
        DataDirectory = Path.GetFullPath(options.DataDirectory);
        DatabaseFile = Path.GetFullPath(Metadata.DatabaseTarget.SqliteFile(options), DataDirectory);
        ArtifactsDirectory = Path.Combine(DataDirectory, "artifacts");
    }

    public string DataDirectory { get; }

    /// <summary>The SQLite file (unused when the database is PostgreSQL).</summary>
    public string DatabaseFile { get; }

    public string ArtifactsDirectory { get; }
}
