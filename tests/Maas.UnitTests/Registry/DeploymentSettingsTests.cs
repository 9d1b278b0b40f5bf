using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class DeploymentSettingsTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : DeploymentSettingsTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : DeploymentSettingsTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : DeploymentSettingsTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : DeploymentSettingsTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task GetDeploymentAsync_NeverSet_ReturnsEmptyOverrides()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");

        var deployment = await host.Registry.GetDeploymentAsync("bert");

        Assert.True(deployment.Overrides.IsEmpty);
        Assert.Null(deployment.UpdatedAt);
        Assert.Null(deployment.UpdatedBy);
    }

    [Fact]
    public async Task SetDeploymentAsync_Stored_ReadBackAfterReopenWithAuditAndEvent()
    {
        var folder = RegistryTestHost.NewDataDirectory();
        var storage = await backend.NewStorageAsync();
        try
        {
            var overrides = new DeploymentOverrides { MaxBatchSize = 16, MaxQueueDelay = TimeSpan.FromMilliseconds(2), KeepAlive = TimeSpan.Zero, Preload = false };
            await using (var host = RegistryTestHost.Open(folder, storage))
            {
                await host.PushAsync("bert");
                var changed = new List<string>();
                host.Registry.ModelChanged += (_, e) => changed.Add(e.Model);

                var stored = await host.Registry.SetDeploymentAsync("bert", overrides, "alice");

                Assert.Equal(overrides, stored.Overrides);
                Assert.Equal("alice", stored.UpdatedBy);
                Assert.Equal(["bert"], changed);
                var audit = (await host.Registry.ReadAuditAsync("bert", 1))[0];
                Assert.Equal(("alice", "deployment.set"), (audit.Actor, audit.Action));
                Assert.Contains("max_batch_size=16", audit.Detail, StringComparison.Ordinal);
                Assert.Contains("was defaults", audit.Detail, StringComparison.Ordinal);
            }

            await using (var reopened = RegistryTestHost.Open(folder, storage))
            {
                var read = await reopened.Registry.GetDeploymentAsync("bert");
                Assert.Equal(overrides, read.Overrides);
                Assert.Equal("alice", read.UpdatedBy);
                Assert.NotNull(read.UpdatedAt);
            }
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(folder);
            storage.Drop();
        }
    }

    [Fact]
    public async Task SetDeploymentAsync_Replaced_OnlyNewFieldsRemain()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");
        await host.Registry.SetDeploymentAsync("bert", new DeploymentOverrides { MaxBatchSize = 16, MaxQueue = 5 }, "alice");

        await host.Registry.SetDeploymentAsync("bert", new DeploymentOverrides { MaxQueue = 7 }, "bob");

        var read = await host.Registry.GetDeploymentAsync("bert");
        Assert.Equal(new DeploymentOverrides { MaxQueue = 7 }, read.Overrides);
        Assert.Equal("bob", read.UpdatedBy);
    }

    [Fact]
    public async Task SetDeploymentAsync_OutOfRange_InvalidArgumentNamingTheField()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");

        var error = await Assert.ThrowsAsync<MaasException>(() =>
            host.Registry.SetDeploymentAsync("bert", new DeploymentOverrides { MaxBatchSize = 0, Instances = -1 }, "alice"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("max_batch_size", error.Message, StringComparison.Ordinal);
        Assert.Contains("instances", error.Message, StringComparison.Ordinal);
        Assert.True((await host.Registry.GetDeploymentAsync("bert")).Overrides.IsEmpty);
    }

    [Fact]
    public async Task SetDeploymentAsync_UnknownModel_NotFound()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<MaasException>(() =>
            host.Registry.SetDeploymentAsync("nope", new DeploymentOverrides { MaxQueue = 1 }, "alice"));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
        Assert.Equal(MaasErrorKind.NotFound, (await Assert.ThrowsAsync<MaasException>(() => host.Registry.GetDeploymentAsync("nope"))).Kind);
    }

    [Fact]
    public async Task DeleteVersionAsync_LastVersion_SettingsKept()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");
        await host.Registry.SetDeploymentAsync("bert", new DeploymentOverrides { MaxQueue = 3 }, "alice");

        await host.Registry.DeleteVersionAsync("bert", 1, force: false, "alice");
        await host.PushAsync("bert", "v2");

        Assert.Equal(3, (await host.Registry.GetDeploymentAsync("bert")).Overrides.MaxQueue);
    }

    [Fact]
    public void ApplyTo_SetFields_ReplaceOnlyThoseDefaults()
    {
        var defaults = new DeploymentSettings { MaxBatchSize = 8, MaxQueue = 64, KeepAlive = TimeSpan.FromMinutes(5) };

        var effective = new DeploymentOverrides { MaxQueue = 2, IntraOpThreads = 3 }.ApplyTo(defaults);

        Assert.Equal(defaults with { MaxQueue = 2, IntraOpThreads = 3 }, effective);
        Assert.Equal(defaults, DeploymentOverrides.None.ApplyTo(defaults));
    }
}
