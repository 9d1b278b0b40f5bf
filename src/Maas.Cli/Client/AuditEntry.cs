using System.Text.Json;

namespace Maas.Cli.Client;

/// <summary>One entry of the registry's audit log.</summary>
/// <remarks><see cref="Detail"/> stays raw JSON: actions record a sentence or a small object, and the CLI only prints it.</remarks>
internal sealed record AuditEntry
{
    public long Id { get; init; }

    public DateTimeOffset At { get; init; }

    public string? Actor { get; init; }

    public required string Action { get; init; }

    public string? Model { get; init; }

    public int? Version { get; init; }

    public JsonElement? Detail { get; init; }

    /// <summary>The remote address of the request that caused it.</summary>
    public string? Address { get; init; }
}
