using Maas.Server.Metrics;

namespace Maas.UnitTests.Server.Metrics;

/// <summary>OpenTelemetry instrument names as Prometheus shows them.</summary>
public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("maas.inference.queue.duration", "s", false, "maas_inference_queue_duration_seconds")]
    [InlineData("maas.server.requests", "{request}", true, "maas_server_requests_total")]
    [InlineData("maas.models.memory", "By", false, "maas_models_memory_bytes")]
    [InlineData("dotnet.process.cpu.time", "s", true, "dotnet_process_cpu_time_seconds_total")]
    [InlineData("maas.inference.batch.size", "{row}", false, "maas_inference_batch_size")]
    [InlineData("already_seconds", "s", false, "already_seconds")]
    [InlineData("jobs_total", "{job}", true, "jobs_total")]
    [InlineData("rate", "By/s", false, "rate_bytes_per_seconds")]
    [InlineData("ratio", "1", false, "ratio")]
    [InlineData("9lives.x-y", null, false, "_9lives_x_y")]
    public void MetricName_OtelInstrument_FollowsPrometheusConventions(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(instrument, unit, counter));

    [Theory]
    [InlineData("maas.model", "maas_model")]
    [InlineData("cpu.mode", "cpu_mode")]
    [InlineData("a:b", "a_b")]
    public void LabelName_DottedKey_UsesUnderscores(string key, string expected) =>
        Assert.Equal(expected, PrometheusNaming.LabelName(key));
}
