namespace Maas.Serving.Pipelines;

/// <summary>What a classifier's manifest declares: the output that holds the class scores, the number of classes to
/// answer with (<c>top_k</c>) and the class labels (<c>labels</c>), index-aligned; empty when it has none.</summary>
public sealed record ClassifierInfo(string Output, int TopK, IReadOnlyList<string> Labels);
