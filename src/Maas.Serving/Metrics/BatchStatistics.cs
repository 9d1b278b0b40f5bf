namespace Maas.Serving.Metrics;

/// <summary>Engine calls of one batch size (rows): how many and how long in total.</summary>
public sealed record BatchStatistics(int BatchSize, StatisticsDuration ComputeInfer);
