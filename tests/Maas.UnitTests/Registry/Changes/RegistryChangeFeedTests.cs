using Maas.Core.Engines;
using Maas.Registry.Changes;
using Maas.Registry.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry.Changes;

public sealed class RegistryChangeFeedTests : IAsyncLifetime
{
    private readonly string _data = RegistryTestHost.NewDataDirectory();
    private RegistryReplica _a = null!;
    private RegistryReplica _b = null!;

    public async Task InitializeAsync()
    {
        _a = new RegistryReplica(_data);
        _b = new RegistryReplica(_data);
        await _a.Registry.InitializeAsync();
        await _b.Registry.InitializeAsync();
        await _b.Feed.StartFollowingAsync(CancellationToken.None);
        await _a.Feed.StartFollowingAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        RegistryTestHost.DeleteDirectory(_data);
    }

    [Fact]
    public async Task PollAsync_ChangesByOtherReplica_AnnouncesEachModelOnce()
    {
        await _a.PushAsync("bert", "v1", alias: "production");
        await _a.PushAsync("bert", "v2");
        await _a.Registry.SetAliasAsync("bert", "production", 2, "tester");
        await _a.PushAsync("resnet", "r1");

        Assert.Empty(_b.TakeAnnounced());
        Assert.Equal(2, await _b.Feed.PollAsync(CancellationToken.None));
        Assert.Equal(["bert", "resnet"], _b.TakeAnnounced());

        // Nothing new: nothing announced again.
        Assert.Equal(0, await _b.Feed.PollAsync(CancellationToken.None));
        Assert.Empty(_b.TakeAnnounced());
    }

    [Fact]
    public async Task PollAsync_OwnChanges_AnnouncedOnceAtCommitAndSkippedByTheFeed()
    {
        await _a.PushAsync("bert", "v1");
        Assert.Equal(["bert"], _a.TakeAnnounced());

        Assert.Equal(0, await _a.Feed.PollAsync(CancellationToken.None));
        Assert.Empty(_a.TakeAnnounced());
        Assert.Equal(1, await _b.Feed.PollAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Mutations_EachKind_OneChangeRowInTheSameTransaction()
    {
        await _a.PushAsync("bert", "v1", alias: "production");
        await _a.PushAsync("bert", "v2");
        await _a.Registry.SetAliasAsync("bert", "staging", 2, "tester");
        await _a.Registry.RemoveAliasAsync("bert", "staging", "tester");
        await _a.Registry.UpdateModelAsync("bert", "a description", null, "tester");
        await _a.Registry.SetDeploymentAsync("bert", new DeploymentOverrides { Instances = 2 }, "tester");
        await _a.Registry.DeleteVersionAsync("bert", 2, force: false, "tester");

        // Refused changes record nothing.
        await Assert.ThrowsAnyAsync<Exception>(() => _a.Registry.DeleteVersionAsync("bert", 1, force: false, "tester"));
        await _a.Registry.SetAliasAsync("bert", "production", 1, "tester");

        var rows = await ReadChangesAsync();
        Assert.Equal(
            [
                ("version.pushed", 1, "production"), ("version.pushed", 2, null), ("alias.set", 2, "staging"), ("alias.removed", 2, "staging"),
                ("model.updated", null, null), ("deployment.changed", null, null), ("version.deleted", 2, null),
            ],
            rows.Select(r => (r.Kind, r.Version, r.Alias)).ToList());
        Assert.All(rows, r => Assert.Equal(("bert", _a.Registry.Origin), (r.Model, r.Origin)));
    }

    [Fact]
    public async Task ExecuteAsync_Woken_AnnouncesOtherReplicasChangeWithoutWaitingForThePoll()
    {
        await _b.Feed.StartAsync(CancellationToken.None);
        try
        {
            await _a.PushAsync("bert", "v1");
            _b.Feed.Wake();

            // The fake clock never moves, so only the wake-up can have triggered this poll.
            var announced = await _b.Changed.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("bert", announced);
        }
        finally
        {
            await _b.Feed.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task PruneAsync_RowsOlderThanRetention_DeletedNewerKept()
    {
        await _a.PushAsync("bert", "v1");
        _a.Time.Advance(TimeSpan.FromHours(2));
        await _a.PushAsync("bert", "v2");

        Assert.Equal(1, await _a.Feed.PruneAsync(CancellationToken.None));

        Assert.Equal([2], (await ReadChangesAsync()).Select(r => r.Version));
        Assert.Equal(1, await _b.Feed.PollAsync(CancellationToken.None));
    }

    private async Task<List<RegistryChange>> ReadChangesAsync()
    {
        var session = await DbSession.OpenAsync(_a.Services.GetRequiredService<IMetadataDatabase>(), CancellationToken.None);
        await using (session)
        {
            return await ChangeSql.AfterAsync(session, 0, 1000, CancellationToken.None);
        }
    }
}
