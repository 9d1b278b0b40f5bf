namespace Maas.Cli.Client;

/// <summary>The body of <c>GET /api/audit</c>.</summary>
internal sealed record AuditLog(IReadOnlyList<AuditEntry> Entries);
