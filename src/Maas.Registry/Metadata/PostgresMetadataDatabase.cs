using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Maas.Registry.Metadata;

/// <summary>The shared registry database for several replicas: PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>.</summary>
/// <remarks>
/// Each replica opens at most <c>Maximum Pool Size</c> connections (20 unless the connection string says otherwise,
/// instead of Npgsql's 100, so that a handful of replicas fit under PostgreSQL's default <c>max_connections</c> of 100);
/// a registry operation holds one connection for its duration. A component that needs a connection of its own
/// outside the pool's life cycle (a <c>LISTEN</c> loop) opens it from <see cref="DataSource"/> or <see cref="ConnectionString"/>.
/// </remarks>
internal sealed class PostgresMetadataDatabase : IMetadataDatabase, IDisposable, IAsyncDisposable
{
    /// <summary>Connections per replica when the connection string does not set <c>Maximum Pool Size</c>.</summary>
    public const int DefaultMaxPoolSize = 20;

    private readonly ILogger<PostgresMetadataDatabase> _logger;

    public PostgresMetadataDatabase(string database, RegistryOptions options, ILogger<PostgresMetadataDatabase> logger)
    {
        _logger = logger;
        var builder = DatabaseTarget.ToConnectionString(database);
        if (!ContainsKeyword(database, "Maximum Pool Size", "Max Pool Size", "MaxPoolSize"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "maas";
        }

        MaxPoolSize = builder.MaxPoolSize;
        ConnectionString = builder.ConnectionString;
        Location = string.Create(
            CultureInfo.InvariantCulture,
            $"postgresql://{(builder.Username is { Length: > 0 } u ? u + "@" : string.Empty)}{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}");
        DataSource = new NpgsqlDataSourceBuilder(ConnectionString).Build();
        Dialect = new PostgresDialect(options.BusyTimeout);
    }

    public ISqlDialect Dialect { get; }

    /// <summary>Where the database is, without the password: <c>postgresql://user@host:port/database</c>.</summary>
    public string Location { get; }

    public bool IsShared => true;

    /// <summary>The pooled source every registry connection comes from; open extra connections (LISTEN) from it too.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The effective connection string (pool size and application name filled in; contains the password if given).</summary>
    public string ConnectionString { get; }

    public int MaxPoolSize { get; }

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                PostgresLog.Connected(_logger, Location, connection.PostgreSqlVersion.ToString(), MaxPoolSize);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Start-up fails here, before migrations, with the reason (refused, unknown host, password, no such database).
            throw new InvalidOperationException(
                $"Cannot connect to the registry's PostgreSQL database {Location} (Maas:Registry:Database): {e.Message}", e);
        }
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private static bool ContainsKeyword(string database, params string[] keywords) =>
        keywords.Any(k => database.Contains(k, StringComparison.OrdinalIgnoreCase)
                          || database.Contains(k.Replace(' ', '_'), StringComparison.OrdinalIgnoreCase)
                          || database.Contains(Uri.EscapeDataString(k), StringComparison.OrdinalIgnoreCase));
}
