namespace Maas.Registry.Abstractions;

/// <summary>Where a version came from: a parent version and the transform (with parameters) that produced it.</summary>
public sealed record Lineage(string ParentModel, int ParentVersion, string Transform, IReadOnlyDictionary<string, string> Parameters);
