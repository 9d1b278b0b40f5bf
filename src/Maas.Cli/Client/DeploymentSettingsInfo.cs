namespace Maas.Cli.Client;

/// <summary>Effective deployment settings, or a model's overrides (then a null field means "server default").</summary>
internal sealed record DeploymentSettingsInfo
{
    public int? Instances { get; init; }

    public int? IntraOpThreads { get; init; }

    public int? MaxBatchSize { get; init; }

    public double? MaxQueueDelayMs { get; init; }

    public int? MaxQueue { get; init; }

    public double? RequestTimeoutMs { get; init; }

    public bool? Preload { get; init; }

    public double? KeepAliveMs { get; init; }
}
