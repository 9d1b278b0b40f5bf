namespace Maas.Tests.Shared.Deploy;

/// <summary>Finds files of this repository (the folder holding <c>Maas.slnx</c>) from the test's output folder.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Maas.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Maas.slnx above {AppContext.BaseDirectory}.");
    }
}
