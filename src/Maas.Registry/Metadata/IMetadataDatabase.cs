using System.Data.Common;

namespace Maas.Registry.Metadata;

/// <summary>Opens connections to the metadata store and says which SQL dialect it speaks.</summary>
internal interface IMetadataDatabase
{
    ISqlDialect Dialect { get; }

    /// <summary>One-time preparation of the database itself (file, journal mode), before migrations.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>An open connection, configured for this store; the caller disposes it.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);
}
