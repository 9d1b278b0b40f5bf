using Maas.Registry;
using Maas.Registry.Metadata;
using Maas.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Maas.UnitTests.Registry;

/// <summary>The PostgreSQL write transaction: one registry-wide lock, waited for up to the busy timeout.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresWriteLockTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _database = cluster.CreateDatabase();

    [Fact]
    public async Task BeginWriteAsync_AnotherWriterHoldsTheLock_WaitsUntilItCommits()
    {
        await using var database = Open(TimeSpan.FromSeconds(30));
        await using var first = await DbSession.BeginWriteAsync(database, CancellationToken.None);

        var second = Task.Run(() => DbSession.BeginWriteAsync(database, CancellationToken.None));
        await WaitForLockWaiterAsync(database);
        Assert.False(second.IsCompleted);

        await first.CommitAsync(CancellationToken.None);
        await using var acquired = await second.WaitAsync(TimeSpan.FromSeconds(30));
        await acquired.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task BeginWriteAsync_LockHeldPastBusyTimeout_FailsWithLockNotAvailable()
    {
        await using var database = Open(TimeSpan.FromSeconds(1));
        await using var first = await DbSession.BeginWriteAsync(database, CancellationToken.None);

        var error = await Assert.ThrowsAsync<PostgresException>(() => DbSession.BeginWriteAsync(database, CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.LockNotAvailable, error.SqlState);
    }

    public void Dispose() => cluster.DropDatabase(_database);

    private PostgresMetadataDatabase Open(TimeSpan busyTimeout) =>
        new(_database, new RegistryOptions { BusyTimeout = busyTimeout }, NullLogger<PostgresMetadataDatabase>.Instance);

    /// <summary>Waits until some backend waits for the registry's advisory lock (pg_locks shows it not granted).</summary>
    private static async Task WaitForLockWaiterAsync(PostgresMetadataDatabase database)
    {
        await using var session = await DbSession.OpenAsync(database, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DbValues.ToLong(await session.ScalarAsync("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", CancellationToken.None)) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "No writer started waiting for the lock.");
            await Task.Yield();
        }
    }
}
