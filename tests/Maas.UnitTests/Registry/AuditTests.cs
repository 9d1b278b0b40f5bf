using Maas.Tests.Shared;
using Maas.UnitTests.Logging;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class AuditTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : AuditTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : AuditTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : AuditTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : AuditTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task ReadAuditAsync_EveryChange_RecordedNewestFirstWithActor()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1", actor: "ci");
        await host.PushAsync("bert", "v2", actor: "ci");
        await host.Registry.SetAliasAsync("bert", "production", 1, "alice");
        await host.Registry.SetAliasAsync("bert", "production", 2, "alice");
        await host.Registry.RemoveAliasAsync("bert", "production", "bob");
        await host.Registry.UpdateModelAsync("bert", "encoder", null, "carol");
        await host.Registry.DeleteVersionAsync("bert", 1, force: false, "dave");

        var audit = await host.Registry.ReadAuditAsync("bert", 100);

        Assert.Equal(
            [
                ("dave", "version.delete", 1),
                ("carol", "model.update", (int?)null),
                ("bob", "alias.remove", 2),
                ("alice", "alias.set", 2),
                ("alice", "alias.set", 1),
                ("ci", "push", 2),
                ("ci", "push", 1),
            ],
            audit.Select(a => (a.Actor, a.Action, a.Version)));
        Assert.All(audit, a => Assert.Equal("bert", a.Model));
        Assert.Contains("was 1", audit[3].Detail, StringComparison.Ordinal);
        Assert.True(audit.Zip(audit.Skip(1)).All(p => p.First.Id > p.Second.Id && p.First.At >= p.Second.At));
        Assert.All(audit, a => Assert.Equal(TimeSpan.Zero, a.At.Offset));
    }

    [Fact]
    public async Task ReadAuditAsync_EveryAction_RecordsADetailAndLogsNoNull()
    {
        using var logs = new RecordingLoggerProvider();
        await using var host = await RegistryTestHost.CreateAsync(backend, logs);
        await host.PushAsync("bert", "v1", alias: "staging");
        await host.PushAsync("bert", "v2");
        await host.Registry.SetAliasAsync("bert", "production", 2, "alice");
        await host.Registry.RemoveAliasAsync("bert", "production", "bob");
        await host.Registry.UpdateModelAsync("bert", "encoder", null, "carol");
        await host.Registry.DeleteVersionAsync("bert", 2, force: false, "dave");
        await host.Registry.DeleteVersionAsync("bert", 1, force: true, "erin");

        var audit = await host.Registry.ReadAuditAsync("bert", 100);

        Assert.Equal(7, audit.Count);
        Assert.All(audit, a => Assert.False(string.IsNullOrWhiteSpace(a.Detail), $"{a.Action} has no detail"));
        Assert.Equal("1 file(s)", audit[1].Detail);
        Assert.Equal("1 file(s); forced, removed aliases staging", audit[0].Detail);
        var changes = logs.Records.Where(r => r.EventId == 1104).Select(r => r.Message).ToList();
        Assert.Equal(7, changes.Count);
        Assert.All(changes, m => Assert.DoesNotContain("(null)", m, StringComparison.Ordinal));
        Assert.Contains("carol model.update on bert: description", changes);
        Assert.Contains("dave version.delete on bert:2: 1 file(s)", changes);
    }

    [Fact]
    public async Task ReadAuditAsync_ModelFilter_ReturnsOnlyThatModel()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");
        await host.PushAsync("resnet");

        var bert = await host.Registry.ReadAuditAsync("bert", 10);
        var all = await host.Registry.ReadAuditAsync(null, 10);

        Assert.Equal("bert", Assert.Single(bert).Model);
        Assert.Equal(["resnet", "bert"], all.Select(a => a.Model));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(2, 2)]
    public async Task ReadAuditAsync_Limit_IsClampedToAtLeastOne(int limit, int expected)
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1");
        await host.PushAsync("bert", "v2");
        await host.PushAsync("bert", "v3");

        var audit = await host.Registry.ReadAuditAsync(null, limit);

        Assert.Equal(expected, audit.Count);
    }

    [Fact]
    public async Task SetAliasAsync_SameTarget_WritesNoAuditRecord()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", alias: "production");

        await host.Registry.SetAliasAsync("bert", "production", 1, "alice");

        Assert.Single(await host.Registry.ReadAuditAsync("bert", 10));
    }
}
