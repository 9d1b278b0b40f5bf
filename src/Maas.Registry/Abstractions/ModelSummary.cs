namespace Maas.Registry.Abstractions;

/// <summary>A model in a listing.</summary>
public sealed record ModelSummary(
    string Name,
    string? Description,
    int VersionCount,
    int? LatestVersion,
    IReadOnlyDictionary<string, int> Aliases,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset CreatedAt);

/// <summary>A model with all its versions (newest first) and aliases.</summary>
public sealed record ModelDetails(ModelSummary Summary, IReadOnlyList<ModelVersionInfo> Versions);

/// <summary>One audit record: who did what to which model, when.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Model, int? Version, string? Detail)
{
    /// <summary>The remote address of the request that caused it; null for work outside a request.</summary>
    public string? Address { get; init; }
}
