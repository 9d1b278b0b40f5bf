using System.Diagnostics.Metrics;
using Maas.Server.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Maas.UnitTests.Server.Metrics;

/// <summary>What a Prometheus scrape of the SDK's collected measurements reads.</summary>
public sealed class PrometheusTextExporterTests : IDisposable
{
    private readonly Meter _meter = new("Maas.Test." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusTextExporter _exporter = new();
    private readonly MeterProvider _provider;

    public PrometheusTextExporterTests()
    {
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(_meter.Name)
            .AddView(MetricBuckets.Select)
            .AddReader(new BaseExportingMetricReader(_exporter))
            .Build()!;
    }

    public void Dispose()
    {
        _provider.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Render_Counter_WritesHelpTypeAndCumulativeTotal()
    {
        var counter = _meter.CreateCounter<long>("maas.test.requests", "{request}", "Requests handled.");
        counter.Add(2, new KeyValuePair<string, object?>("maas.model", "m"));
        _ = _exporter.Render();
        counter.Add(3, new KeyValuePair<string, object?>("maas.model", "m"));

        var text = _exporter.Render();

        Assert.Contains("# HELP maas_test_requests_total Requests handled.\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE maas_test_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_requests_total{maas_model=\"m\"} 5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SecondsHistogram_WritesCumulativeBucketsSumAndCount()
    {
        var histogram = _meter.CreateHistogram<double>("maas.test.duration", "s", "Latency.");
        // Binary fractions, so the sum is exact.
        histogram.Record(0.000244140625);
        histogram.Record(0.001953125);
        histogram.Record(0.001953125);
        histogram.Record(400);

        var text = _exporter.Render();

        Assert.Contains("# TYPE maas_test_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_duration_seconds_bucket{le=\"0.0001\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_duration_seconds_bucket{le=\"0.00025\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_duration_seconds_bucket{le=\"0.0025\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_duration_seconds_bucket{le=\"120\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_duration_seconds_bucket{le=\"+Inf\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_duration_seconds_sum 400.004150390625\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_duration_seconds_count 4\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_CountHistogram_UsesPowerOfTwoBuckets()
    {
        var histogram = _meter.CreateHistogram<int>("maas.test.batch.size", "{row}", "Rows.");
        histogram.Record(3);

        var text = _exporter.Render();

        Assert.Contains("maas_test_batch_size_bucket{le=\"2\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_batch_size_bucket{le=\"4\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UpDownCounterAndBytes_WritesGaugeWithUnitSuffix()
    {
        var memory = _meter.CreateUpDownCounter<long>("maas.test.memory", "By", "Memory.");
        memory.Add(1000, new KeyValuePair<string, object?>("maas.version", 3));
        memory.Add(-400, new KeyValuePair<string, object?>("maas.version", 3));

        var text = _exporter.Render();

        Assert.Contains("# TYPE maas_test_memory_bytes gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_memory_bytes{maas_version=\"3\"} 600\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ObservableGauge_PollsAtScrape()
    {
        var value = 1.5;
        _meter.CreateObservableGauge("maas.test.level", () => value, "1", "Level.");
        _ = _exporter.Render();
        value = 2.25;

        var text = _exporter.Render();

        Assert.Contains("maas_test_level 2.25\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LabelValueWithQuoteBackslashNewline_IsEscaped()
    {
        var counter = _meter.CreateCounter<long>("maas.test.escaped");
        counter.Add(1, new KeyValuePair<string, object?>("maas.model", "a\"b\\c\nd"));

        var text = _exporter.Render();

        Assert.Contains("maas_test_escaped_total{maas_model=\"a\\\"b\\\\c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SeveralTagSets_WritesOneHeaderAndSortedLabels()
    {
        var counter = _meter.CreateCounter<long>("maas.test.tagged");
        counter.Add(1, new("outcome", "ok"), new("maas.model", "a"));
        counter.Add(1, new("outcome", "invalid"), new("maas.model", "a"));

        var text = _exporter.Render();

        Assert.Single(text.Split('\n'), l => l.StartsWith("# TYPE maas_test_tagged_total", StringComparison.Ordinal));
        Assert.Contains("maas_test_tagged_total{maas_model=\"a\",outcome=\"ok\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("maas_test_tagged_total{maas_model=\"a\",outcome=\"invalid\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoProvider_ReturnsEmptyText() => Assert.Equal(string.Empty, new PrometheusTextExporter().Render());
}
