namespace Maas.Serving.Metrics;

/// <summary>A count and a cumulative duration in nanoseconds.</summary>
public readonly record struct StatisticsDuration(long Count, long Nanoseconds);
