namespace Maas.Registry.Abstractions;

/// <summary>What a derived version cost and gained against its parent, measured side by side by the job that made it
/// (stored with the version, immutable like it).</summary>
public sealed record VersionReport
{
    /// <summary>The transform and method, e.g. <c>quantize dynamic-int8</c>.</summary>
    public required string Transform { get; init; }

    /// <summary>The parent it was compared with, e.g. <c>all-minilm-l6-v2:1</c>.</summary>
    public required string Parent { get; init; }

    /// <summary>Size of the version's files that the engine loads (the model file and its external data).</summary>
    public required long ArtifactBytes { get; init; }

    public required long ParentArtifactBytes { get; init; }

    /// <summary>Rows per second of the parent and of this version, at each measured batch size.</summary>
    public IReadOnlyList<ThroughputComparison> Throughput { get; init; } = [];

    /// <summary>Agreement of this version's outputs with the parent's on the evaluation inputs; null when not measured.</summary>
    public AccuracyComparison? Accuracy { get; init; }

    /// <summary>Where it was measured (cores, CPU, engine), since throughput ratios depend on the machine.</summary>
    public string? Machine { get; init; }

    public DateTimeOffset MeasuredAt { get; init; }

    /// <summary>Anything a reader must know (nodes skipped, why a figure is missing, fallbacks taken).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Throughput of parent and result at one batch size, measured interleaved in the same process.</summary>
public sealed record ThroughputComparison(int BatchSize, double ParentRowsPerSecond, double RowsPerSecond)
{
    public double Ratio => ParentRowsPerSecond > 0 ? RowsPerSecond / ParentRowsPerSecond : 0;
}

/// <summary>How closely the result follows the parent.</summary>
/// <param name="Metric"><c>cosine</c> (embeddings, features), <c>top1-agreement</c> (classifiers) or
/// <c>greedy-token-agreement</c> (generators).</param>
/// <param name="Mean">Mean agreement over the samples (cosine similarity, or the fraction that agree).</param>
/// <param name="Min">The worst sample.</param>
/// <param name="Samples">How many inputs were compared.</param>
/// <param name="InputSource">Where the inputs came from: <c>version</c> (stored with the parent), <c>job</c> (given
/// with the job) or <c>generated</c> (made for the signature).</param>
public sealed record AccuracyComparison(string Metric, double Mean, double Min, int Samples, string InputSource);
