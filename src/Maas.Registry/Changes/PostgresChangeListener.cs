using Microsoft.Extensions.Logging;
using Npgsql;

namespace Maas.Registry.Changes;

/// <summary>Wakes the change feed on PostgreSQL <c>NOTIFY maas_changes</c>, sent by every transaction that records a
/// registry change (see <see cref="Metadata.ISqlDialect.ChangeNotification"/>).</summary>
/// <remarks>
/// Holds one dedicated, unpooled connection per replica (<c>LISTEN</c> is per session), with TCP keep-alive so a
/// silently dropped connection is noticed. On any failure it reconnects with a growing delay (1 s to 30 s) and wakes
/// the feed after reconnecting, since notifications sent meanwhile are lost; the feed's poll covers the gap.
/// </remarks>
internal sealed class PostgresChangeListener : IChangeNotificationListener
{
    /// <summary>The channel name; <see cref="NotifyStatement"/> is what the PostgreSQL dialect returns as its change notification.</summary>
    public const string Channel = "maas_changes";

    public const string NotifyStatement = "NOTIFY " + Channel;

    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresChangeListener> _logger;

    public PostgresChangeListener(string connectionString, TimeProvider timeProvider, ILogger<PostgresChangeListener> logger)
    {
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 15,
            ApplicationName = "maas-change-listener",
        }.ToString();
        _time = timeProvider;
        _logger = logger;
    }

    public async Task ListenAsync(Action wake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wake);
        var delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = new NpgsqlConnection(_connectionString);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, _) => wake();
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    using (var listen = new NpgsqlCommand("LISTEN " + Channel, connection))
                    {
                        await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    wake();
                    delay = TimeSpan.FromSeconds(1);
                    while (true)
                    {
                        // Returns after each notification (raised on Notification above); throws when the connection breaks.
                        await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                ChangeFeedLog.ListenFailed(_logger, e, delay);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
