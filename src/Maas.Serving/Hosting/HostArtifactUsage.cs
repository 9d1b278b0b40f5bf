using Maas.Registry.Artifacts;

namespace Maas.Serving.Hosting;

/// <summary>Keeps the registry's artifact cache from evicting files that loaded or loading versions use.</summary>
internal sealed class HostArtifactUsage(ModelHost host) : IArtifactUsage
{
    public IEnumerable<string> DigestsInUse() => host.DigestsInUse();
}
