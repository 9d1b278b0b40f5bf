using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Maas.Server.Metrics;

/// <summary>A pull exporter: each scrape of <c>GET /metrics</c> collects what the OpenTelemetry SDK aggregated and
/// renders it in Prometheus' text exposition format 0.0.4.</summary>
/// <remarks>
/// Added to the meter provider through a <see cref="BaseExportingMetricReader"/> with cumulative temporality, so
/// counters and histograms are totals since start, as Prometheus expects. Sums become <c>counter</c> (monotonic,
/// <c>_total</c>) or <c>gauge</c> (up-down), histograms <c>_bucket{le}</c> (cumulative), <c>_sum</c> and <c>_count</c>.
/// Scrapes are serialized: the SDK hands the batch to <see cref="Export"/> while <see cref="Render"/> waits.
/// The OpenTelemetry project's own Prometheus exporter is still pre-release, hence this one.
/// </remarks>
[ExportModes(ExportModes.Pull)]
internal sealed class PrometheusTextExporter : BaseExporter<Metric>, IPullMetricExporter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const int CollectTimeoutMilliseconds = 10_000;

    private readonly Lock _scrape = new();
    private readonly StringBuilder _text = new();

    /// <summary>Set by the reader this exporter is attached to; null until the meter provider is built.</summary>
    public Func<int, bool>? Collect { get; set; }

    /// <summary>Collects the current values and returns them as Prometheus text (empty before the provider starts).</summary>
    public string Render()
    {
        lock (_scrape)
        {
            _text.Clear();
            Collect?.Invoke(CollectTimeoutMilliseconds);
            return _text.ToString();
        }
    }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        // Several instruments can map to one Prometheus name (the same meter created by two factories in one
        // process); their series go under one HELP/TYPE header.
        var families = new SortedDictionary<string, List<Metric>>(StringComparer.Ordinal);
        foreach (var metric in batch)
        {
            if (metric.MetricType == MetricType.ExponentialHistogram)
            {
                continue;
            }

            var name = PrometheusNaming.MetricName(metric.Name, metric.Unit, IsCounter(metric.MetricType));
            if (!families.TryGetValue(name, out var list))
            {
                families[name] = list = [];
            }

            list.Add(metric);
        }

        foreach (var (name, metrics) in families)
        {
            WriteFamily(_text, name, metrics);
        }

        return ExportResult.Success;
    }

    private static void WriteFamily(StringBuilder text, string name, List<Metric> metrics)
    {
        var first = metrics[0];
        var header = false;
        foreach (var metric in metrics)
        {
            if (Kind(metric.MetricType) != Kind(first.MetricType))
            {
                continue;
            }

            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                if (!header)
                {
                    text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(first.Description is { Length: > 0 } d ? d : first.Name)).Append('\n');
                    text.Append("# TYPE ").Append(name).Append(' ').Append(Kind(first.MetricType)).Append('\n');
                    header = true;
                }

                var labels = Labels(point.Tags);
                if (metric.MetricType == MetricType.Histogram)
                {
                    WriteHistogram(text, name, labels, point);
                    continue;
                }

                text.Append(name);
                AppendLabels(text, labels, null);
                text.Append(' ').Append(Value(metric.MetricType, point)).Append('\n');
            }
        }
    }

    private static void WriteHistogram(StringBuilder text, string name, string labels, in MetricPoint point)
    {
        long cumulative = 0;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            text.Append(name).Append("_bucket");
            AppendLabels(text, labels, "le=\"" + Number(bucket.ExplicitBound) + "\"");
            text.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append(name).Append("_sum");
        AppendLabels(text, labels, null);
        text.Append(' ').Append(Number(point.GetHistogramSum())).Append('\n');
        text.Append(name).Append("_count");
        AppendLabels(text, labels, null);
        text.Append(' ').Append(point.GetHistogramCount().ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Value(MetricType type, in MetricPoint point) => type switch
    {
        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong().ToString(CultureInfo.InvariantCulture),
        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => Number(point.GetSumDouble()),
        MetricType.LongGauge => point.GetGaugeLastValueLong().ToString(CultureInfo.InvariantCulture),
        MetricType.DoubleGauge => Number(point.GetGaugeLastValueDouble()),
        _ => "NaN",
    };

    private static bool IsCounter(MetricType type) => type is MetricType.LongSum or MetricType.DoubleSum;

    private static string Kind(MetricType type) => type switch
    {
        MetricType.LongSum or MetricType.DoubleSum => "counter",
        MetricType.Histogram => "histogram",
        _ => "gauge",
    };

    private static string Labels(ReadOnlyTagCollection tags)
    {
        if (tags.Count == 0)
        {
            return string.Empty;
        }

        var pairs = new List<(string Key, string Value)>(tags.Count);
        foreach (var tag in tags)
        {
            pairs.Add((PrometheusNaming.LabelName(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(key).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }

        return text.ToString();
    }

    private static void AppendLabels(StringBuilder text, string labels, string? extra)
    {
        if (labels.Length == 0 && extra is null)
        {
            return;
        }

        text.Append('{').Append(labels);
        if (extra is not null)
        {
            text.Append(labels.Length > 0 ? "," : string.Empty).Append(extra);
        }

        text.Append('}');
    }

    internal static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    internal static string EscapeLabelValue(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
