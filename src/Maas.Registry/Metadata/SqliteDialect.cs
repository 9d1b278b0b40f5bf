using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Maas.Registry.Metadata;

/// <summary>SQLite spelling of the dialect-specific statements.</summary>
internal sealed class SqliteDialect : ISqlDialect
{
    public string Name => "sqlite";

    public string IdentityPrimaryKey => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public Task<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // deferred: false issues BEGIN IMMEDIATE; waiting for a busy lock is bounded by the connection's busy timeout.
        DbTransaction transaction = ((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false);
        return Task.FromResult(transaction);
    }

    public string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns) =>
        SqlText.StandardUpsert(table, keyColumns, valueColumns);
}
