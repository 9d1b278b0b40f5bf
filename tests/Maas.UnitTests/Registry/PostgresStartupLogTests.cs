using Maas.Tests.Shared;
using Maas.UnitTests.Logging;

namespace Maas.UnitTests.Registry;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStartupLogTests(PostgresCluster cluster)
{
    [Fact]
    public async Task InitializeAsync_Postgres_LogsDatabaseUrlWithoutPasswordAndPoolSize()
    {
        using var logs = new RecordingLoggerProvider();
        await using var host = await RegistryTestHost.CreateAsync(RegistryBackend.PostgresFolder(cluster), logs);

        await host.Registry.InitializeAsync();

        var database = new Npgsql.NpgsqlConnectionStringBuilder(host.Database).Database;
        var ready = Assert.Single(logs.Records, r => r.EventId == 1100);
        Assert.Contains($"database postgresql://maas@127.0.0.1:{cluster.Port}/{database}", ready.Message, StringComparison.Ordinal);
        var connected = Assert.Single(logs.Records, r => r.EventId == 6200);
        Assert.Contains("at most 20 pooled connections", connected.Message, StringComparison.Ordinal);
        Assert.Single(logs.Records, r => r.EventId == 6201);
    }
}
