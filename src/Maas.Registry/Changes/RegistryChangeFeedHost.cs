using Microsoft.Extensions.Hosting;

namespace Maas.Registry.Changes;

/// <summary>Runs the singleton <see cref="RegistryChangeFeed"/> with the host (a separate type so TryAddEnumerable can
/// tell it apart from other hosted services, and tests can resolve the feed itself).</summary>
internal sealed class RegistryChangeFeedHost(RegistryChangeFeed feed) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => feed.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => feed.StopAsync(cancellationToken);
}
