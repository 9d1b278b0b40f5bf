using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Maas.Server.Metrics;

/// <summary>Histogram bucket boundaries for the <c>Maas.*</c> meters, applied as an OpenTelemetry view.</summary>
/// <remarks>
/// The SDK's default boundaries (0, 5, 10 … 10000) suit milliseconds; ours record seconds, from the ~0.3 ms the
/// server adds to a request to loads that take tens of seconds. Row and token counts get powers of two.
/// </remarks>
internal static class MetricBuckets
{
    public static readonly double[] Seconds =
    [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
    ];

    public static readonly double[] Counts = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

    /// <summary>The view: explicit buckets for Maas histograms in seconds or counts; null keeps the SDK's choice.</summary>
    public static MetricStreamConfiguration? Select(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        if (!instrument.Meter.Name.StartsWith("Maas", StringComparison.Ordinal) || !IsHistogram(instrument))
        {
            return null;
        }

        if (instrument.Unit == "s")
        {
            return new ExplicitBucketHistogramConfiguration { Boundaries = Seconds };
        }

        return instrument.Unit is { Length: > 0 } unit && unit[0] == '{'
            ? new ExplicitBucketHistogramConfiguration { Boundaries = Counts }
            : null;
    }

    private static bool IsHistogram(Instrument instrument)
    {
        var type = instrument.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Histogram<>);
    }
}
