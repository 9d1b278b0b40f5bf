namespace Maas.Serving.Hosting;

/// <summary>What the host's versions hold on disk, for the registry's local artifact cache.</summary>
internal sealed partial class ModelHost
{
    /// <summary>Digests of the files of every version loading, serving or draining: their cached copies must stay.</summary>
    public IEnumerable<string> DigestsInUse()
    {
        var digests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in _slots.Values)
        {
            foreach (var deployment in new[] { slot.Serving, slot.Loading?.Deployment })
            {
                if (deployment is not null)
                {
                    digests.UnionWith(deployment.Version.Files.Select(f => f.Sha256));
                }
            }
        }

        foreach (var draining in _unloader.Draining)
        {
            digests.UnionWith(draining.Version.Files.Select(f => f.Sha256));
        }

        return digests;
    }
}
