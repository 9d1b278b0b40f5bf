namespace Maas.EndToEnd.Tests.Scale;

/// <summary>Where the replicas keep what they share (the registry database and the artifacts) and what is their own
/// (data folder for caches, uploads and job work folders): one place to switch the scale-out tests to another backend.</summary>
internal abstract class ReplicaData : IDisposable
{
    /// <summary>The data folder of replica <paramref name="index"/> (<c>--data</c>).</summary>
    public abstract string DataDirectory(int index);

    /// <summary>Extra settings of replica <paramref name="index"/> (<c>Maas:Section:Key=value</c>).</summary>
    public abstract IReadOnlyList<string> Settings(int index);

    public abstract void Dispose();
}

/// <summary>The default backend: one SQLite file and one artifact folder, shared by every replica through one data
/// folder; each replica's job work folder is its own.</summary>
/// <remarks>A PostgreSQL + S3 variant gives each replica its own data folder and passes <c>Maas:Registry:Database</c>
/// and <c>Maas:Registry:Artifacts</c> instead.</remarks>
internal sealed class SharedFolderReplicaData : ReplicaData
{
    private readonly string _root = Infrastructure.TempFolder.Create("maas-scale");

    public override string DataDirectory(int index) => Path.Combine(_root, "shared");

    public override IReadOnlyList<string> Settings(int index) =>
        [$"Maas:Jobs:WorkDirectory={Path.Combine(_root, $"replica{index}", "jobs")}"];

    public override void Dispose() => Infrastructure.TempFolder.Delete(_root);
}
