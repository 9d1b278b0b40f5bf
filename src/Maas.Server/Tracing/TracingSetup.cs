using Maas.Serving.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Maas.Server.Tracing;

/// <summary>OpenTelemetry traces: the protocol edge (ASP.NET Core's server span for REST and gRPC, continuing the
/// caller's W3C <c>traceparent</c>), the serving layer's <c>Maas</c> source, and outgoing HTTP calls (which carry
/// <c>traceparent</c> on to, e.g., the S3 store); exported over OTLP when an endpoint is configured.</summary>
/// <remarks>
/// Off unless <c>Maas:Telemetry:Tracing:Enabled</c> is true or an OTLP endpoint is configured
/// (<c>Maas:Telemetry:OtlpEndpoint</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>).
/// Off means no tracer provider at all: nothing listens to the sources, so no span object is ever created. Sampling
/// follows the standard <c>OTEL_TRACES_SAMPLER</c>/<c>OTEL_TRACES_SAMPLER_ARG</c> variables (default: parent-based,
/// always on). Health probes and <c>/metrics</c> scrapes are not traced: a probe every few seconds per replica would
/// drown the traces that matter.
/// </remarks>
internal static class TracingSetup
{
    public const string EnabledKey = "Maas:Telemetry:Tracing:Enabled";

    /// <summary>The source .NET's <c>HttpClient</c> creates its client spans on (.NET 9+).</summary>
    private const string HttpClientSource = "System.Net.Http";

    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>(EnabledKey)
            ?? (!string.IsNullOrWhiteSpace(configuration[Metrics.TelemetryServiceCollectionExtensions.OtlpEndpointKey])
                || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
                || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]));

    public static void Add(IOpenTelemetryBuilder builder, IConfiguration configuration)
    {
        if (!IsEnabled(configuration))
        {
            return;
        }

        builder.WithTracing(tracing =>
        {
            tracing.AddSource(MaasTracing.ActivitySourceName, HttpClientSource)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path));
            var endpoint = configuration[Metrics.TelemetryServiceCollectionExtensions.OtlpEndpointKey];
            var standard = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
                || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
            if (!string.IsNullOrWhiteSpace(endpoint) || standard)
            {
                tracing.AddOtlpExporter(otlp =>
                {
                    if (!string.IsNullOrWhiteSpace(endpoint))
                    {
                        otlp.Endpoint = Metrics.TelemetryServiceCollectionExtensions.OtlpEndpoint(endpoint, otlp.Protocol, "/v1/traces");
                    }
                });
            }
        });
    }

    /// <summary>Kubernetes probes and Prometheus scrapes: frequent, uninteresting, and untraced.</summary>
    internal static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/v2/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/inference.GRPCInferenceService/ServerLive", StringComparison.Ordinal)
        || path.StartsWithSegments("/inference.GRPCInferenceService/ServerReady", StringComparison.Ordinal);
}
