using Maas.Serving;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Maas.Server.Protocols.Grpc;

/// <summary>Healthy once the inference service has finished its start-up loading (what <c>/v2/health/ready</c>
/// says), reported by the gRPC health service.</summary>
internal sealed class ReadyHealthCheck(IInferenceService service, Maas.Server.Hosting.ShutdownDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            drain.IsDraining ? HealthCheckResult.Unhealthy("The server is shutting down.")
            : service.StartupComplete ? HealthCheckResult.Healthy("Start-up loading finished.")
            : HealthCheckResult.Unhealthy("Start-up loading is still running."));
}
