namespace Maas.Cli.Bench;

/// <summary>Where a level's time went on the server, from the difference of two scrapes of <c>/metrics</c>.</summary>
/// <param name="QueueMs">Mean time a request waited in the model's queue (<c>maas_inference_queue_duration_seconds</c>).</param>
/// <param name="ComputeMs">Mean duration of one engine call, one batch (<c>maas_inference_compute_duration_seconds</c>).</param>
/// <param name="BatchSize">Mean rows per engine call (<c>maas_inference_batch_size</c>).</param>
/// <param name="RequestMs">Mean time the server took per request, arrival to response (<c>maas_server_request_duration_seconds</c>).</param>
/// <param name="EngineCalls">Engine calls during the level.</param>
internal sealed record ServerSplit(double? QueueMs, double? ComputeMs, double? BatchSize, double? RequestMs, long? EngineCalls)
{
    public const string QueueMetric = "maas_inference_queue_duration_seconds";
    public const string ComputeMetric = "maas_inference_compute_duration_seconds";
    public const string BatchMetric = "maas_inference_batch_size";
    public const string RequestMetric = "maas_server_request_duration_seconds";

    /// <summary>The split for <paramref name="model"/> (all its versions) between two scrapes; null where the server
    /// reported nothing for it.</summary>
    public static ServerSplit Between(MetricsScrape before, MetricsScrape after, string model)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var calls = Delta(before, after, ComputeMetric + "_count", model);
        return new ServerSplit(
            Mean(before, after, QueueMetric, model, 1000),
            Mean(before, after, ComputeMetric, model, 1000),
            Mean(before, after, BatchMetric, model, 1),
            Mean(before, after, RequestMetric, model, 1000),
            calls is { } c ? (long)Math.Round(c) : null);
    }

    private static double? Mean(MetricsScrape before, MetricsScrape after, string histogram, string model, double scale)
    {
        var count = Delta(before, after, histogram + "_count", model);
        var sum = Delta(before, after, histogram + "_sum", model);
        return count is > 0 && sum is { } s ? s / count.Value * scale : null;
    }

    private static double? Delta(MetricsScrape before, MetricsScrape after, string name, string model)
    {
        var label = ("maas_model", model);
        return after.Sum(name, label) is { } end ? end - (before.Sum(name, label) ?? 0) : null;
    }
}
