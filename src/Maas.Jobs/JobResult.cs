namespace Maas.Jobs;

/// <summary>What a finished job produced: the version it registered (when it registers one) and a one-line summary.</summary>
public sealed record JobResult(string? Model, int? Version, string Summary);
