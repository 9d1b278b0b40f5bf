namespace Maas.Optimization;

/// <summary>What a pass wrote and how.</summary>
/// <param name="ModelPath">The result's model file (inside the output folder); other files in that folder (external
/// data) belong to it.</param>
/// <param name="Parameters">The effective parameters (defaults filled in) for the lineage record.</param>
/// <param name="Notes">What a reader of the report must know (nodes skipped and why, fallbacks).</param>
public sealed record PassResult(string ModelPath, IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<string> Notes);
