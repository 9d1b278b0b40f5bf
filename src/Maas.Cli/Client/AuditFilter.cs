namespace Maas.Cli.Client;

/// <summary>The filters of <c>GET /api/audit</c>; null fields do not filter.</summary>
internal sealed record AuditFilter(string? Model = null, string? Actor = null, string? Action = null, DateTimeOffset? Since = null, int? Limit = null);
