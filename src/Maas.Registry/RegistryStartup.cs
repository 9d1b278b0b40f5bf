using Microsoft.Extensions.Hosting;

namespace Maas.Registry;

/// <summary>Initializes the registry when the host starts, so a broken database fails start-up instead of the first request.</summary>
internal sealed class RegistryStartup(ModelRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => registry.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
