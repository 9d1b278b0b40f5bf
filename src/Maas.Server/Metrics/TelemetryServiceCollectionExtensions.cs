using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Maas.Server.Metrics;

/// <summary>Wires the OpenTelemetry SDK: the <c>Maas.*</c> and <c>System.Runtime</c> meters, to <c>/metrics</c> and,
/// when an endpoint is configured, to OTLP.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The .NET runtime's built-in meter (.NET 9+): process CPU time, working set, GC, thread pool.</summary>
    public const string RuntimeMeter = "System.Runtime";

    public const string OtlpEndpointKey = "Maas:Telemetry:OtlpEndpoint";

    /// <summary>The name under which the SDK's hosting package registers its <see cref="IMetricsListener"/>.</summary>
    private const string OpenTelemetryListener = "OpenTelemetry";

    public static IServiceCollection AddMaasTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var prometheus = new PrometheusTextExporter();
        services.AddSingleton(prometheus);
        services.AddSingleton<ServerMetrics>();

        // Meters are enabled through the metrics builder rather than the SDK's AddMeter, because only the builder
        // knows scopes: the Maas meters this server's IMeterFactory created (Local), not those of another server
        // in the same process (tests run several), whose instruments would otherwise share, and on shutdown
        // deactivate, this provider's streams. The runtime's meter is process-wide (Global).
        services.AddMetrics(builder => builder
            .EnableMetrics("Maas", instrumentName: null, listenerName: OpenTelemetryListener, scopes: MeterScope.Local)
            .EnableMetrics(RuntimeMeter, instrumentName: null, listenerName: OpenTelemetryListener, scopes: MeterScope.Global));
        var telemetry = services.AddOpenTelemetry();
        telemetry
            .ConfigureResource(resource => resource.AddService(
                configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "maas",
                serviceVersion: ServerInfo.Version))
            .WithMetrics(metrics =>
            {
                metrics.AddView(MetricBuckets.Select)
                    .AddReader(new BaseExportingMetricReader(prometheus) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative });
                AddOtlp(metrics, configuration);
            });
        Tracing.TracingSetup.Add(telemetry, configuration);
        return services;
    }

    /// <summary>OTLP export when <c>Maas:Telemetry:OtlpEndpoint</c> or the standard <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c>
    /// variables name a collector; protocol, headers and interval come from the standard variables.</summary>
    private static void AddOtlp(MeterProviderBuilder metrics, IConfiguration configuration)
    {
        var endpoint = configuration[OtlpEndpointKey];
        var standard = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);
        if (string.IsNullOrWhiteSpace(endpoint) && !standard)
        {
            return;
        }

        metrics.AddOtlpExporter(otlp =>
        {
            if (!string.IsNullOrWhiteSpace(endpoint))
            {
                otlp.Endpoint = OtlpEndpoint(endpoint, otlp.Protocol);
            }
        });
    }

    /// <summary>A base URL such as <c>http://collector:4318</c>, as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> takes it: over
    /// HTTP the signal's path is added, which the exporter does not do for an endpoint set in code.</summary>
    internal static Uri OtlpEndpoint(string endpoint, OtlpExportProtocol protocol) => OtlpEndpoint(endpoint, protocol, "/v1/metrics");

    /// <summary>As <see cref="OtlpEndpoint(string, OtlpExportProtocol)"/> for the signal at <paramref name="signalPath"/>
    /// (<c>/v1/metrics</c>, <c>/v1/traces</c>).</summary>
    internal static Uri OtlpEndpoint(string endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        var uri = new Uri(endpoint, UriKind.Absolute);
        if (protocol != OtlpExportProtocol.HttpProtobuf || uri.AbsolutePath.EndsWith(signalPath, StringComparison.Ordinal))
        {
            return uri;
        }

        return new Uri(uri.AbsoluteUri.TrimEnd('/') + signalPath);
    }
}
