namespace Maas.Registry.Abstractions;

/// <summary>Where a version came from: one or more parent versions (each with a role), the transform that produced
/// it with its parameters, and the job that ran it.</summary>
/// <param name="Parents">At least one; merging has several (roles such as <c>base</c>, <c>source</c>, <c>adapter</c>).</param>
/// <param name="Transform">What was done, e.g. <c>quantize</c>, <c>prune</c>, <c>merge</c>.</param>
/// <param name="Parameters">The transform's effective parameters (method, options).</param>
public sealed record Lineage(IReadOnlyList<LineageParent> Parents, string Transform, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The job that produced the version, when one did.</summary>
    public string? JobId { get; init; }

    /// <summary>A lineage with a single parent in the <c>source</c> role.</summary>
    public static Lineage From(string model, int version, string transform, IReadOnlyDictionary<string, string> parameters) =>
        new([new LineageParent(model, version, LineageParent.SourceRole)], transform, parameters);
}

/// <summary>One parent of a derived version.</summary>
public sealed record LineageParent(string Model, int Version, string Role)
{
    /// <summary>The role of the single parent of a quantized, pruned or converted version.</summary>
    public const string SourceRole = "source";
}
