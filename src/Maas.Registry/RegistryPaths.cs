namespace Maas.Registry;

/// <summary>Absolute paths derived from <see cref="RegistryOptions"/>, computed once so every component agrees.</summary>
internal sealed class RegistryPaths
{
    public RegistryPaths(RegistryOptions options)
    {
        DataDirectory = Path.GetFullPath(options.DataDirectory);
        DatabaseFile = Path.GetFullPath(Metadata.DatabaseTarget.SqliteFile(options), DataDirectory);
        var folder = Artifacts.ArtifactStoreSelection.FolderPath(options);
        ArtifactsDirectory = folder is null ? Path.Combine(DataDirectory, "artifacts") : Path.GetFullPath(folder, DataDirectory);
        S3StagingDirectory = Path.Combine(DataDirectory, "s3-staging");
    }

    public string DataDirectory { get; }

    /// <summary>The SQLite file (unused when the database is PostgreSQL).</summary>
    public string DatabaseFile { get; }

    public string ArtifactsDirectory { get; }

    /// <summary>Where the S3 store stages uploads on this replica (local disk, never shared).</summary>
    public string S3StagingDirectory { get; }
}
