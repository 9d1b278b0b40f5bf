namespace Maas.Serving.Processing;

/// <summary>One class of a classifier's answer: its index along the class axis, its score and its label (null when
/// the model has no labels or none for this index).</summary>
public readonly record struct ClassScore(int Index, double Score, string? Label);
