namespace Maas.Serving.Metrics;

/// <summary>Engine calls of one batch size (rows): how many and how long in total (inference; input preparation and
/// output work apart).</summary>
public sealed record BatchStatistics(int BatchSize, StatisticsDuration ComputeInfer)
{
    public StatisticsDuration ComputeInput { get; init; }

    public StatisticsDuration ComputeOutput { get; init; }
}
