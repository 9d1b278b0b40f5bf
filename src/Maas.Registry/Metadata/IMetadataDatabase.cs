using System.Data.Common;

namespace Maas.Registry.Metadata;

/// <summary>Opens connections to the metadata store and says which SQL dialect it speaks.</summary>
internal interface IMetadataDatabase
{
    ISqlDialect Dialect { get; }

    /// <summary>Where the database is, for the start-up log (a file path, or a URL without the password).</summary>
    string Location { get; }

    /// <summary>Whether other processes (replicas) use this database at the same time.</summary>
    /// <remarks>
    /// A shared database means another replica may be staging uploads right now, so start-up must not empty the
    /// artifact store's staging area. Blob leases and the write lock live in the database either way.
    /// </remarks>
    bool IsShared { get; }

    /// <summary>One-time preparation of the database itself (file, journal mode), before migrations.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>An open connection, configured for this store; the caller disposes it.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);
}
