namespace Maas.Registry;

/// <summary>Absolute paths derived from <see cref="RegistryOptions"/>, computed once so every component agrees.</summary>
internal sealed class RegistryPaths
{
    public RegistryPaths(RegistryOptions options)
    {
        DataDirectory = Path.GetFullPath(options.DataDirectory);
        DatabaseFile = Path.GetFullPath(options.DatabaseFile, DataDirectory);
        ArtifactsDirectory = Path.Combine(DataDirectory, "artifacts");
    }

    public string DataDirectory { get; }

    public string DatabaseFile { get; }

    public string ArtifactsDirectory { get; }
}
