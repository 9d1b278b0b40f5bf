using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Maas.Server.Hosting;

/// <summary>Graceful shutdown, first step: readiness turns not-ready the moment the host begins stopping, and the
/// server keeps serving for <c>Maas:Server:DrainDelay</c> so load balancers (and Kubernetes endpoints) route away
/// before the listener closes.</summary>
/// <remarks>
/// Runs in <see cref="IHostedLifecycleService.StoppingAsync"/>, which the host calls before any hosted service stops,
/// so Kestrel is still accepting during the delay. Then Kestrel stops accepting and waits for in-flight requests
/// (bounded by <c>Maas:Server:ShutdownTimeout</c>, the host's shutdown timeout), and only then are the models unloaded
/// (the model host is disposed with the container).
/// </remarks>
internal sealed partial class ShutdownDrain(TimeSpan drainDelay, TimeProvider timeProvider, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    private int _draining;

    /// <summary>True from the moment the host began stopping.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _draining, 1);
        LogDraining(logger, drainDelay);
        if (drainDelay > TimeSpan.Zero)
        {
            await Task.Delay(drainDelay, timeProvider, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "Stopping: readiness is now not-ready; serving on for {Delay} before closing the listener")]
    private static partial void LogDraining(ILogger logger, TimeSpan delay);
}
