namespace Maas.Registry.Abstractions;

/// <summary>Filters of an audit query; null fields do not filter.</summary>
/// <param name="Model">Records about this model.</param>
/// <param name="Actor">An exact actor, or a key name (matches <c>name#id</c>).</param>
/// <param name="Action">Records of this action (e.g. <c>push</c>, <c>auth.failure</c>).</param>
/// <param name="Since">Records at or after this time.</param>
/// <param name="Limit">Most records returned (clamped to 1..1000).</param>
public sealed record AuditQuery(string? Model = null, string? Actor = null, string? Action = null, DateTimeOffset? Since = null, int Limit = 100);
