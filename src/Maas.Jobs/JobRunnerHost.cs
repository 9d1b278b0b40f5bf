using Microsoft.Extensions.Hosting;

namespace Maas.Jobs;

/// <summary>Starts and stops the singleton <see cref="JobRunner"/> with the host (a separate type so TryAddEnumerable
/// can tell it apart from other hosted services).</summary>
internal sealed class JobRunnerHost(JobRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => runner.StopAsync(cancellationToken);
}
