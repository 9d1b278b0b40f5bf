using System.Text.Json;

namespace Maas.Registry.Abstractions;

/// <summary>A job as stored: what was asked (kind, parameters, actor), where it is (state, progress, stage) and how it
/// ended (result version, summary, error).</summary>
public sealed record JobRecord
{
    /// <summary>Short, time-sortable id, e.g. <c>01jd5x3k2m7q4f</c>.</summary>
    public required string Id { get; init; }

    public required string Kind { get; init; }

    /// <summary>The parameters object as submitted (its shape belongs to the job kind).</summary>
    public required JsonElement Parameters { get; init; }

    public required JobState State { get; init; }

    /// <summary>Fraction done, 0..1.</summary>
    public double Progress { get; init; }

    /// <summary>What the job is doing now (or did last), e.g. <c>measuring throughput</c>.</summary>
    public string? Stage { get; init; }

    public required string Actor { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The model of the version the job registered, when it registered one.</summary>
    public string? ResultModel { get; init; }

    public int? ResultVersion { get; init; }

    /// <summary>One line about the outcome, from the handler.</summary>
    public string? Summary { get; init; }

    /// <summary>Why the job failed, was cancelled or was interrupted.</summary>
    public string? Error { get; init; }

    /// <summary>The replica (<c>Maas:Server:ReplicaId</c>, else host name and process id) that claimed the job.</summary>
    public string? Owner { get; init; }
}
