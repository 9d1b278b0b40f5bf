namespace Maas.Registry.Artifacts;

/// <summary>Tells the local artifact cache which blobs are in use (by loaded or loading versions), so it never evicts
/// their copies; the serving layer registers one.</summary>
public interface IArtifactUsage
{
    /// <summary>Digests in use right now.</summary>
    IEnumerable<string> DigestsInUse();
}
