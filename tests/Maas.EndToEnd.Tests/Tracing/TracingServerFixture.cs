using Maas.EndToEnd.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Maas.EndToEnd.Tests.Tracing;

/// <summary>A server with the sample embeddings model, gRPC, tracing on and every finished span kept in memory.</summary>
/// <remarks>Requests wait up to 2 s for others to join their batch, until 3 rows are queued: three concurrent
/// one-text requests run as one engine call at once, a lone request waits the full delay.</remarks>
public sealed class TracingServerFixture : IAsyncLifetime
{
    public const int BatchRows = 3;

    private MaasTestServer? _server;

    public ExportedActivities Spans { get; } = new();

    public MaasTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await MaasTestServer.StartAsync(
        samples: true,
        grpc: true,
        settings:
        [
            "Maas:Telemetry:Tracing:Enabled=true",
            "Maas:Serving:Defaults:Instances=1",
            $"Maas:Serving:Defaults:MaxBatchSize={BatchRows}",
            "Maas:Serving:Defaults:MaxQueueDelay=00:00:02",
            "Maas:Llama:ContextSize=2048",
        ],
        services: s => s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
