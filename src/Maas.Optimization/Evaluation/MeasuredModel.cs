using Maas.Core.Models;

namespace Maas.Optimization.Evaluation;

/// <summary>One side of a report: a display key, its manifest and its files (logical name to local path).</summary>
internal sealed record MeasuredModel(string Key, ModelManifest Manifest, IReadOnlyDictionary<string, string> Files);

/// <summary>What the side-by-side measurement found.</summary>
internal sealed record Measurement(
    IReadOnlyList<Maas.Registry.Abstractions.ThroughputComparison> Throughput,
    Maas.Registry.Abstractions.AccuracyComparison? Accuracy,
    IReadOnlyList<string> Notes);
