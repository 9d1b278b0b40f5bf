using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts;

/// <summary>Builds the local cache over the store the registry selected, from <c>Maas:Registry:CacheSize</c> and
/// <c>CacheDirectory</c>.</summary>
internal sealed class ArtifactCacheFactory(RegistryOptions options, RegistryPaths paths, IServiceProvider services, ILogger<ArtifactCache> logger)
{
    public string CacheDirectory { get; } = Path.GetFullPath(options.CacheDirectory ?? "cache", paths.DataDirectory);

    // Usages are resolved when eviction needs them: the serving layer that provides them depends on the registry.
    public ArtifactCache Create(IArtifactStore store) =>
        new(store, CacheDirectory, options.CacheSize, () => services.GetServices<IArtifactUsage>(), logger);
}
