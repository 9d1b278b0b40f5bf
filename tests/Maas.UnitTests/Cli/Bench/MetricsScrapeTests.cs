using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

public sealed class MetricsScrapeTests
{
    private const string Before = """
        # HELP maas_inference_queue_duration_seconds Time a request waited.
        # TYPE maas_inference_queue_duration_seconds histogram
        maas_inference_queue_duration_seconds_bucket{maas_model="m",maas_version="1",le="0.001"} 1
        maas_inference_queue_duration_seconds_bucket{maas_model="m",maas_version="1",le="+Inf"} 2
        maas_inference_queue_duration_seconds_sum{maas_model="m",maas_version="1"} 0.004
        maas_inference_queue_duration_seconds_count{maas_model="m",maas_version="1"} 2
        maas_inference_queue_duration_seconds_sum{maas_model="other",maas_version="1"} 9
        maas_inference_queue_duration_seconds_count{maas_model="other",maas_version="1"} 9
        maas_inference_compute_duration_seconds_sum{maas_model="m",maas_version="1"} 0.01
        maas_inference_compute_duration_seconds_count{maas_model="m",maas_version="1"} 1
        maas_inference_batch_size_sum{maas_model="m",maas_version="1"} 2
        maas_inference_batch_size_count{maas_model="m",maas_version="1"} 1
        """;

    private const string After = """
        maas_inference_queue_duration_seconds_sum{maas_model="m",maas_version="1"} 0.014
        maas_inference_queue_duration_seconds_count{maas_model="m",maas_version="1"} 6
        maas_inference_queue_duration_seconds_sum{maas_model="m",maas_version="2"} 0.01
        maas_inference_queue_duration_seconds_count{maas_model="m",maas_version="2"} 1
        maas_inference_queue_duration_seconds_sum{maas_model="other",maas_version="1"} 90
        maas_inference_queue_duration_seconds_count{maas_model="other",maas_version="1"} 10
        maas_inference_compute_duration_seconds_sum{maas_model="m",maas_version="1"} 0.03
        maas_inference_compute_duration_seconds_count{maas_model="m",maas_version="1"} 3
        maas_inference_batch_size_sum{maas_model="m",maas_version="1"} 8
        maas_inference_batch_size_count{maas_model="m",maas_version="1"} 3
        """;

    [Fact]
    public void Sum_LabelFilter_AddsMatchingSeriesOnly()
    {
        var scrape = MetricsScrape.Parse(After);

        Assert.Equal(7, scrape.Sum("maas_inference_queue_duration_seconds_count", ("maas_model", "m")));
        Assert.Equal(6, scrape.Sum("maas_inference_queue_duration_seconds_count", ("maas_model", "m"), ("maas_version", "1")));
        Assert.Equal(17, scrape.Sum("maas_inference_queue_duration_seconds_count"));
        Assert.Null(scrape.Sum("maas_inference_queue_duration_seconds_count", ("maas_model", "nope")));
    }

    [Fact]
    public void Parse_CommentsBucketsAndSpecialValues_ReadsEverySample()
    {
        var scrape = MetricsScrape.Parse("""
            # TYPE x histogram
            x_bucket{le="+Inf"} 3
            y NaN
            z{a="1"} -Inf 1700000000000
            w 1.5e-3
            not a sample line
            """);

        Assert.Equal(3, scrape.Sum("x_bucket", ("le", "+Inf")));
        Assert.True(double.IsNaN(scrape.Sum("y")!.Value));
        Assert.Equal(double.NegativeInfinity, scrape.Sum("z", ("a", "1")));
        Assert.Equal(0.0015, scrape.Sum("w"));
    }

    [Fact]
    public void Parse_EscapedLabelValues_Unescapes()
    {
        var scrape = MetricsScrape.Parse("""m{model="a\"b\\c\nd",x="y"} 4""");

        var sample = Assert.Single(scrape.Samples);
        Assert.Equal("a\"b\\c\nd", sample.Labels["model"]);
        Assert.Equal("y", sample.Labels["x"]);
        Assert.Equal(4, sample.Value);
    }

    [Fact]
    public void Between_TwoScrapes_GivesMeansOfTheDifference()
    {
        var split = ServerSplit.Between(MetricsScrape.Parse(Before), MetricsScrape.Parse(After), "m");

        // Queue: (0.014 + 0.01 - 0.004) s over (6 + 1 - 2) requests = 4 ms; compute: 0.02 s over 2 calls; batch: 6 rows over 2 calls.
        Assert.Equal(4, split.QueueMs!.Value, 9);
        Assert.Equal(10, split.ComputeMs!.Value, 9);
        Assert.Equal(3, split.BatchSize!.Value, 9);
        Assert.Equal(2, split.EngineCalls);
        Assert.Null(split.RequestMs);
    }

    [Fact]
    public void Between_ModelWithoutMetrics_IsAllNull()
    {
        var split = ServerSplit.Between(MetricsScrape.Parse(Before), MetricsScrape.Parse(After), "unknown");

        Assert.Null(split.QueueMs);
        Assert.Null(split.ComputeMs);
        Assert.Null(split.BatchSize);
        Assert.Null(split.EngineCalls);
    }
}
