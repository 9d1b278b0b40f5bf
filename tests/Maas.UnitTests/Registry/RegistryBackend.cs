using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>The metadata database a registry test class runs against: SQLite (a file in the host's data folder) or a
/// fresh database in the run's private PostgreSQL cluster.</summary>
public sealed class RegistryBackend
{
    private readonly PostgresCluster? _cluster;

    private RegistryBackend(PostgresCluster? cluster) => _cluster = cluster;

    public static RegistryBackend Sqlite { get; } = new(null);

    public bool IsPostgres => _cluster is not null;

    public static RegistryBackend Postgres(PostgresCluster cluster) => new(cluster ?? throw new ArgumentNullException(nameof(cluster)));

    /// <summary>A new, empty database: its connection string, or null for SQLite (the data folder's own file).</summary>
    public string? NewDatabase() => _cluster?.CreateDatabase();

    public void DropDatabase(string? database)
    {
        if (database is not null)
        {
            _cluster?.DropDatabase(database);
        }
    }

    public override string ToString() => IsPostgres ? "postgresql" : "sqlite";
}
