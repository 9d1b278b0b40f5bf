using System.Data.Common;

namespace Maas.Registry.Metadata;

/// <summary>A connection with an optional transaction and the few helpers the registry's SQL needs.</summary>
/// <remarks>
/// Parameters are written <c>@name</c>, which both SQLite and PostgreSQL (Npgsql) accept. A parameter that may be NULL
/// where PostgreSQL cannot infer its type (<c>@p IS NULL</c>, <c>COALESCE(@p, ...)</c>) is written <c>CAST(@p AS TEXT)</c>
/// or <c>CAST(@p AS BIGINT)</c>: a null goes over the wire untyped.
/// </remarks>
internal sealed class DbSession : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private DbTransaction? _transaction;

    private DbSession(DbConnection connection, ISqlDialect dialect)
    {
        _connection = connection;
        Dialect = dialect;
    }

    public ISqlDialect Dialect { get; }

    public static async Task<DbSession> OpenAsync(IMetadataDatabase database, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return new DbSession(connection, database.Dialect);
    }

    /// <summary>Opens a session that holds the write lock until <see cref="CommitAsync"/> or disposal (which rolls back).</summary>
    public static async Task<DbSession> BeginWriteAsync(IMetadataDatabase database, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(database, cancellationToken).ConfigureAwait(false);
        try
        {
            session._transaction = await database.Dialect.BeginWriteTransactionAsync(session._connection, cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_transaction is null)
        {
            throw new InvalidOperationException("The session has no transaction to commit.");
        }

        await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await _transaction.DisposeAsync().ConfigureAwait(false);
        _transaction = null;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first column of the first row, or null when there is no row or the value is NULL.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public async Task<List<T>> QueryAsync<T>(
        string sql,
        Func<DbDataReader, T> map,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private DbCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
