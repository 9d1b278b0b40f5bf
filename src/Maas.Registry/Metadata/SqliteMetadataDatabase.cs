using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Maas.Registry.Metadata;

/// <summary>The embedded default: one SQLite file in WAL mode, so readers never wait for the single writer.</summary>
internal sealed class SqliteMetadataDatabase : IMetadataDatabase, IDisposable
{
    private readonly string _databaseFile;
    private readonly string _connectionString;
    private readonly string _connectionSetup;

    public SqliteMetadataDatabase(RegistryPaths paths, RegistryOptions options)
    {
        _databaseFile = paths.DatabaseFile;
        var timeoutSeconds = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databaseFile,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = timeoutSeconds,
        }.ToString();

        // busy_timeout makes SQLite itself wait for a lock instead of failing at once with SQLITE_BUSY.
        _connectionSetup = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON;");
    }

    public ISqlDialect Dialect { get; } = new SqliteDialect();

    public string Location => _databaseFile;

    /// <summary>The embedded database belongs to one server process (start-up may clear its staging area).</summary>
    public bool IsShared => false;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_databaseFile)!);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // WAL is a property of the file, so setting it once persists for every later connection.
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = _connectionSetup;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the data folder can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
