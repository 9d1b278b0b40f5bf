using System.Text.Json;

namespace Maas.Cli.Client;

/// <summary>A job as the admin API returns it (<c>/api/jobs/{id}</c>, and each server-sent event).</summary>
internal sealed record JobInfo
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public JsonElement? Parameters { get; init; }

    /// <summary><c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c> or <c>interrupted</c>.</summary>
    public required string State { get; init; }

    public double Progress { get; init; }

    public string? Stage { get; init; }

    public string? Actor { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? ResultModel { get; init; }

    public int? ResultVersion { get; init; }

    public string? Summary { get; init; }

    public string? Error { get; init; }

    public bool IsFinal => State is not ("queued" or "running");

    public bool Succeeded => State == "succeeded";
}
