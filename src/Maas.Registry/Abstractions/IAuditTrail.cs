namespace Maas.Registry.Abstractions;

/// <summary>The audit log beyond the registry's own changes: records written by the server (authentication failures)
/// and queries with filters.</summary>
public interface IAuditTrail
{
    /// <summary>Appends one record; <paramref name="address"/> null takes <see cref="AuditScope.Address"/>.</summary>
    Task WriteAsync(string actor, string action, string model, string? detail, string? address = null, CancellationToken cancellationToken = default);

    /// <summary>Records matching every given filter, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
