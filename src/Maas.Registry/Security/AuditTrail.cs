using Maas.Registry.Abstractions;
using Maas.Registry.Metadata;

namespace Maas.Registry.Security;

/// <summary>Writes server-side audit records (authentication failures) and answers filtered audit queries.</summary>
internal sealed class AuditTrail(ModelRegistry registry, IMetadataDatabase database, TimeProvider time) : IAuditTrail
{
    private const int MaxLimit = 1000;

    public async Task WriteAsync(string actor, string action, string model, string? detail, string? address = null, CancellationToken cancellationToken = default)
    {
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await RegistryCommands.InsertAuditAsync(session, time.GetUtcNow(), actor, action, model, null, detail, cancellationToken, address).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await RegistryQueries.AuditAsync(session, query, Math.Clamp(query.Limit, 1, MaxLimit), cancellationToken).ConfigureAwait(false);
        }
    }
}
