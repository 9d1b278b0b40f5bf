namespace Maas.Cli.Client;

/// <summary>The measured report stored with a derived version: size, throughput and accuracy against its parent.</summary>
internal sealed record VersionReportInfo
{
    public string? Transform { get; init; }

    public string? Parent { get; init; }

    public long ArtifactBytes { get; init; }

    public long ParentArtifactBytes { get; init; }

    public IReadOnlyList<ThroughputInfo> Throughput { get; init; } = [];

    public AccuracyInfo? Accuracy { get; init; }

    public string? Machine { get; init; }

    public DateTimeOffset? MeasuredAt { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}
