using Maas.Registry.Changes;
using Maas.Registry.Metadata;
using Microsoft.Extensions.Logging;

namespace Maas.Registry;

/// <summary>What each registry change writes inside its own transaction: a change-feed row (so other replicas hear
/// of it) and an audit record (with its log line).</summary>
internal sealed class RegistryJournal(TimeProvider time, ILogger logger, string origin)
{
    /// <summary>Records the change in the change feed under this registry instance's origin.</summary>
    public Task RecordChangeAsync(DbSession session, string kind, string model, int? version, string? alias, CancellationToken cancellationToken) =>
        ChangeSql.InsertAsync(session, kind, model, version, alias, origin, time.GetUtcNow(), cancellationToken);

    /// <summary>Writes the audit record and logs the change.</summary>
    public async Task AuditAsync(
        DbSession session, string actor, string action, string model, int? version, string? detail, CancellationToken cancellationToken)
    {
        await RegistryCommands.InsertAuditAsync(session, time.GetUtcNow(), actor, action, model, version, detail, cancellationToken).ConfigureAwait(false);
        RegistryLog.Changed(logger, actor, action, version is { } v ? $"{model}:{v}" : model, string.IsNullOrEmpty(detail) ? "-" : detail);
    }
}
