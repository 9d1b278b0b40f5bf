using System.Data.Common;

namespace Maas.Registry.Metadata;

/// <summary>The few places where SQLite and PostgreSQL SQL differ; everything else is plain parameterized SQL.</summary>
internal interface ISqlDialect
{
    string Name { get; }

    /// <summary>Column definition of a generated 64-bit primary key.</summary>
    string IdentityPrimaryKey { get; }

    /// <summary>Starts a transaction that holds the database's write lock from its first statement.</summary>
    /// <remarks>
    /// Taking the lock up front (SQLite <c>BEGIN IMMEDIATE</c>) is what makes "max + 1" version numbering safe:
    /// two pushes cannot both read the same max.
    /// </remarks>
    Task<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>An insert that updates <paramref name="valueColumns"/> when a row with the same <paramref name="keyColumns"/> exists.</summary>
    string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns);

    /// <summary>A statement run in every transaction that records a registry change, to wake other replicas' change
    /// feeds at commit (PostgreSQL: <c>NOTIFY maas_changes</c>); null where the database has no such thing and the
    /// feed's poll is all there is (SQLite).</summary>
    string? ChangeNotification => null;
}
