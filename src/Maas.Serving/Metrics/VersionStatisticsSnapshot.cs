namespace Maas.Serving.Metrics;

/// <summary>One version's statistics at one moment.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">Version number.</param>
/// <param name="LastInferenceMs">When its last engine call ended, in milliseconds since the Unix epoch; 0 when never.</param>
/// <param name="InferenceCount">Rows inferred (a request of 4 rows counts 4).</param>
/// <param name="ExecutionCount">Engine calls (a merged batch counts 1).</param>
/// <param name="Success">Requests answered successfully, with their end-to-end durations.</param>
/// <param name="Fail">Requests that failed after naming the version, with their durations.</param>
/// <param name="Queue">Time requests waited in the queue.</param>
/// <param name="ComputeInfer">Inference time per request: the engine call, without the input preparation and output
/// work the pipeline marks around it (<see cref="ComputeInput"/>, <see cref="ComputeOutput"/>).</param>
/// <param name="Batches">Engine calls by batch size.</param>
public sealed record VersionStatisticsSnapshot(
    string Model,
    int Version,
    long LastInferenceMs,
    long InferenceCount,
    long ExecutionCount,
    StatisticsDuration Success,
    StatisticsDuration Fail,
    StatisticsDuration Queue,
    StatisticsDuration ComputeInfer,
    IReadOnlyList<BatchStatistics> Batches)
{
    /// <summary>Time per request preparing inputs (tokenizing, padding, concatenating a batch).</summary>
    public StatisticsDuration ComputeInput { get; init; }

    /// <summary>Time per request taking outputs apart (pooling, normalizing, slicing back per request).</summary>
    public StatisticsDuration ComputeOutput { get; init; }
}
