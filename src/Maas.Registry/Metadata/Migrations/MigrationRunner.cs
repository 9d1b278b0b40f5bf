using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Metadata.Migrations;

/// <summary>Brings the schema up to date at start-up, inside one write transaction so concurrent starters apply it once.</summary>
internal sealed class MigrationRunner(IMetadataDatabase database, TimeProvider timeProvider, ILogger<MigrationRunner> logger)
{
    public Task<int> ApplyAsync(CancellationToken cancellationToken) => ApplyAsync(RegistryMigrations.All, cancellationToken);

    /// <summary>Applies the migrations not yet recorded; returns how many were applied.</summary>
    public async Task<int> ApplyAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        var session = await DbSession.BeginWriteAsync(database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                cancellationToken).ConfigureAwait(false);
            var applied = (await session.QueryAsync("SELECT version FROM schema_migrations", r => DbValues.ToInt(r.GetValue(0)), cancellationToken).ConfigureAwait(false))
                .ToHashSet();

            var known = migrations.Count == 0 ? 0 : migrations.Max(m => m.Version);
            if (applied.Count > 0 && applied.Max() > known)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The registry database is at schema version {applied.Max()}, newer than this build knows ({known}); upgrade Maas."));
            }

            var count = 0;
            foreach (var migration in migrations.OrderBy(m => m.Version).Where(m => !applied.Contains(m.Version)))
            {
                foreach (var statement in migration.Statements(database.Dialect))
                {
                    await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
                }

                await session.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                    cancellationToken,
                    ("@version", migration.Version),
                    ("@name", migration.Name),
                    ("@at", DbValues.Timestamp(timeProvider.GetUtcNow()))).ConfigureAwait(false);
                RegistryLog.MigrationApplied(logger, migration.Version, migration.Name);
                count++;
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }
    }
}
