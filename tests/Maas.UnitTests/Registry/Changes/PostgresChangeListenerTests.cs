#if POSTGRES_FIXTURE
using System.Threading.Channels;
using Maas.Registry.Changes;
using Maas.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Maas.UnitTests.Registry.Changes;

/// <summary>The LISTEN side of the change feed's wake-up against a real PostgreSQL (compiled when the shared cluster
/// fixture, tests/Shared/PostgresCluster.cs, is present).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresChangeListenerTests(PostgresCluster cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ListenAsync_NotifyCommitted_Wakes_ConnectionKilled_ReconnectsAndWakesAgain()
    {
        var database = cluster.CreateDatabase();
        try
        {
            var wakes = Channel.CreateUnbounded<bool>();
            var listener = new PostgresChangeListener(database, TimeProvider.System, NullLogger<PostgresChangeListener>.Instance);
            using var stop = new CancellationTokenSource();
            var listening = listener.ListenAsync(() => wakes.Writer.TryWrite(true), stop.Token);

            // One wake after connecting (notifications sent before could not be seen).
            await wakes.Reader.ReadAsync().AsTask().WaitAsync(Bound);

            // A writing transaction notifies; the listener hears it once the transaction commits.
            await using (var writer = new NpgsqlConnection(database))
            {
                await writer.OpenAsync();
                await using var transaction = await writer.BeginTransactionAsync();
                await using (var notify = new NpgsqlCommand(PostgresChangeListener.NotifyStatement, writer, transaction))
                {
                    await notify.ExecuteNonQueryAsync();
                }

                Assert.False(wakes.Reader.TryRead(out _));
                await transaction.CommitAsync();
            }

            await wakes.Reader.ReadAsync().AsTask().WaitAsync(Bound);

            // The server drops the listening session: the listener reconnects by itself and wakes the feed again.
            await using (var admin = new NpgsqlConnection(database))
            {
                await admin.OpenAsync();
                await using var kill = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'maas-change-listener'", admin);
                Assert.Equal(true, await kill.ExecuteScalarAsync());
            }

            await wakes.Reader.ReadAsync().AsTask().WaitAsync(Bound);

            await stop.CancelAsync();
            await listening.WaitAsync(Bound);
        }
        finally
        {
            cluster.DropDatabase(database);
        }
    }
}
#endif
