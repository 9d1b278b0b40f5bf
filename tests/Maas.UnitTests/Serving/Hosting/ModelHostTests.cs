using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Serving.Hosting;
using Maas.Serving.Pipelines;

namespace Maas.UnitTests.Serving.Hosting;

public sealed class ModelHostTests
{
    [Fact]
    public async Task ThrowIfQueueFull_LoadedVersionWithFullQueue_RefusesWith429BeforeAnyWork()
    {
        await using var harness = new HostHarness(o => o.Defaults = new DeploymentSettings { MaxQueue = 3, KeepAlive = TimeSpan.Zero });
        var version = await harness.PushAsync("m", alias: "production");
        await harness.CallAsync("m");

        harness.Pipelines.Load = new PipelineLoad(Queued: 2, Running: 1);
        harness.Service.ThrowIfQueueFull(version);
        harness.Pipelines.Load = new PipelineLoad(Queued: 3, Running: 1);
        var ex = Assert.Throws<MaasException>(() => harness.Service.ThrowIfQueueFull(version));

        Assert.Equal(MaasErrorKind.TooManyRequests, ex.Kind);
    }

    [Fact]
    public async Task ThrowIfQueueFull_VersionNotLoaded_LeavesItToTheQueue()
    {
        await using var harness = new HostHarness(o => o.Defaults = new DeploymentSettings { MaxQueue = 0, KeepAlive = TimeSpan.Zero });
        var version = await harness.PushAsync("m", alias: "production");

        harness.Service.ThrowIfQueueFull(version);
        await harness.CallAsync("m");
        harness.Service.ThrowIfQueueFull(version);
    }

    [Fact]
    public async Task GetOrLoadAsync_32RacingFirstRequests_LoadsOnceAndAllGetTheSameInstance()
    {
        await using var harness = new HostHarness();
        var version = await harness.PushAsync("m");
        harness.Engine.Hold();
        var loadStarted = harness.Engine.LoadStarted.Task;
        using var start = new ManualResetEventSlim();

        var requests = Enumerable.Range(0, 32)
            .Select(_ => Task.Run(() =>
            {
                start.Wait();
                return harness.Host.GetOrLoadAsync(version, CancellationToken.None);
            }))
            .ToArray();
        start.Set();
        await loadStarted;
        harness.Engine.Release();
        var deployments = await Task.WhenAll(requests);

        Assert.Equal(1, harness.Engine.Loads("m:1"));
        Assert.Single(deployments.Distinct());
        Assert.Equal(ModelState.Ready, deployments[0].State);
        Assert.Single(harness.Engine.Models);
    }

    [Fact]
    public async Task GetOrLoadAsync_FailedLoad_503WithReasonAndNoReloadBeforeBackoff()
    {
        await using var harness = new HostHarness();
        var version = await harness.PushAsync("m");
        harness.Engine.Fail("m:1", "unknown op type 'Bogus'");

        var first = await Assert.ThrowsAsync<MaasException>(() => harness.CallAsync("m:1"));
        harness.Engine.Heal("m:1");
        harness.Clock.Advance(TimeSpan.FromSeconds(4));
        var second = await Assert.ThrowsAsync<MaasException>(() => harness.CallAsync("m:1"));

        Assert.Equal(MaasErrorKind.Unavailable, first.Kind);
        Assert.Contains("unknown op type 'Bogus'", first.Message, StringComparison.Ordinal);
        Assert.Contains("unknown op type 'Bogus'", second.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Engine.Loads("m:1"));
        var status = harness.Status("m", 1)!;
        Assert.Equal(ModelState.Failed, status.State);
        Assert.Equal(harness.Clock.GetUtcNow() - TimeSpan.FromSeconds(4), status.LastErrorAt);
        Assert.Equal(status.LastErrorAt + TimeSpan.FromSeconds(5), status.NextRetryAt);

        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await harness.CallAsync("m:1"));
        Assert.Equal(2, harness.Engine.Loads("m:1"));
        Assert.Null(harness.Status("m", 1)!.LastError);
    }

    [Fact]
    public async Task EnsureLoadedAsync_EngineSlowerThanLoadTimeout_CancelledAndFailedWithTheReason()
    {
        await using var harness = new HostHarness(o => o.LoadTimeout = TimeSpan.FromSeconds(30));
        var version = await harness.PushAsync("m");
        harness.Engine.Hold();
        var loadStarted = harness.Engine.LoadStarted.Task;

        var load = harness.Host.EnsureLoadedAsync(version, force: true);
        await loadStarted;
        harness.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(load.IsCompleted);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<MaasException>(() => load);
        Assert.Contains("load timeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(ModelState.Failed, harness.Status("m", 1)!.State);
    }

    [Fact]
    public async Task SweepIdleAsync_UnpinnedVersionPastKeepAlive_UnloadedAndLoadedAgainOnRequest()
    {
        await using var harness = new HostHarness(o => o.Defaults = new DeploymentSettings { KeepAlive = TimeSpan.FromMinutes(1) });
        await harness.PushAsync("m");
        await harness.PushAsync("m", alias: "production");
        Assert.Equal(1, await harness.CallAsync("m:1"));
        Assert.Equal(2, await harness.CallAsync("m"));

        harness.Clock.Advance(TimeSpan.FromSeconds(59));
        await harness.Host.SweepIdleAsync();
        Assert.Equal(ModelState.Ready, harness.Status("m", 1)?.State);

        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        await harness.Host.SweepIdleAsync();

        Assert.Null(harness.Status("m", 1));
        Assert.True(harness.Engine.Models.Single(m => m.Context.Key == "m:1").IsDisposed);
        Assert.Equal(ModelState.Ready, harness.Status("m", 2)?.State);
        Assert.True(harness.Status("m", 2)!.Pinned);
        Assert.Equal(1, await harness.CallAsync("m:1"));
        Assert.Equal(2, harness.Engine.Loads("m:1"));
    }

    [Fact]
    public async Task SweepIdleAsync_VersionWithRequestInFlight_StaysLoaded()
    {
        await using var harness = new HostHarness(o => o.Defaults = new DeploymentSettings { KeepAlive = TimeSpan.FromMinutes(1) });
        await harness.PushAsync("m");
        await harness.PushAsync("m", alias: "production");
        var deployment = await harness.Service.GetDeploymentAsync(ModelReference.Parse("m:1"));
        using var lease = deployment.TryAcquire()!.Value;

        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await harness.Host.SweepIdleAsync();

        Assert.Equal(ModelState.Ready, harness.Status("m", 1)?.State);
    }

    [Fact]
    public async Task GetOrLoadAsync_OverMemoryBudget_LeastRecentlyUsedUnpinnedIdleVersionEvicted()
    {
        // Each version holds 100 bytes; 300 fit. Version 5 is the default route (pinned) and loaded first.
        await using var harness = new HostHarness(o => o.MemoryBudget = 300);
        for (var i = 0; i < 4; i++)
        {
            await harness.PushAsync("m");
        }

        await harness.PushAsync("m", alias: "production");
        await harness.CallAsync("m");
        await harness.CallAsync("m:1");
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        await harness.CallAsync("m:2");
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        await harness.CallAsync("m:5");

        // Full (5, 1, 2). Version 1 is the least recently used but busy: version 2 goes instead.
        var busy = await harness.Service.GetDeploymentAsync(ModelReference.Parse("m:1"));
        using (busy.TryAcquire()!.Value)
        {
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
            await harness.CallAsync("m:3");
        }

        Assert.Equal([1, 3, 5], harness.Host.Status("m").Where(s => s.State == ModelState.Ready).Select(s => s.Version));

        // Now version 1 is idle and the least recently used.
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        await harness.CallAsync("m:4");

        Assert.Equal([3, 4, 5], harness.Host.Status("m").Where(s => s.State == ModelState.Ready).Select(s => s.Version));
        Assert.Equal(1, harness.Engine.Loads("m:5"));
    }

    [Fact]
    public async Task GetOrLoadAsync_BudgetHeldByPinnedVersions_FailsWithMemoryReasonAndKeepsThem()
    {
        await using var harness = new HostHarness(o => o.MemoryBudget = 250);
        await harness.PushAsync("m", alias: "a");
        await harness.PushAsync("m", alias: "b");
        await harness.PushAsync("m", alias: "production");
        await harness.CallAsync("m@a");
        await harness.CallAsync("m@b");

        var error = await Assert.ThrowsAsync<MaasException>(() => harness.CallAsync("m"));

        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
        Assert.Contains("Not enough memory", error.Message, StringComparison.Ordinal);
        Assert.Contains("Maas:Serving:MemoryBudget", error.Message, StringComparison.Ordinal);
        Assert.Equal(ModelState.Failed, harness.Status("m", 3)!.State);
        Assert.Equal(ModelState.Ready, harness.Status("m", 1)!.State);
        Assert.Equal(ModelState.Ready, harness.Status("m", 2)!.State);
        Assert.True(harness.Engine.Models.Single(m => m.Context.Key == "m:3").IsDisposed);
    }

    [Fact]
    public async Task SetDeployment_PipelineTakesSettings_AppliedWithoutReload()
    {
        await using var harness = new HostHarness();
        harness.Pipelines.Accepts = _ => true;
        await harness.PushAsync("m");
        await harness.CallAsync("m");

        await harness.SetDeploymentAsync("m", new DeploymentOverrides { MaxQueue = 3, MaxBatchSize = 16 });

        Assert.Equal(1, harness.Engine.Loads("m:1"));
        var status = harness.Status("m", 1)!;
        Assert.Equal((3, 16), (status.Settings.MaxQueue, status.Settings.MaxBatchSize));
        Assert.Equal(3, Assert.Single(harness.Pipelines.Applied).MaxQueue);
    }

    [Fact]
    public async Task SetDeployment_NeedsReload_NewInstanceServesAndOldDrainsAfterItsRequest()
    {
        await using var harness = new HostHarness();
        await harness.PushAsync("m");
        var old = await harness.Service.GetDeploymentAsync(new ModelReference("m"));
        var inFlight = old.TryAcquire()!.Value;

        await harness.SetDeploymentAsync("m", new DeploymentOverrides { IntraOpThreads = 2 });

        Assert.Equal(2, harness.Engine.Loads("m:1"));
        var models = harness.Engine.Models.ToList();
        Assert.Equal([0, 2], models.Select(m => m.Context.Settings.IntraOpThreads));
        Assert.Equal(1, await harness.CallAsync("m"));
        Assert.NotSame(old, await harness.Service.GetDeploymentAsync(new ModelReference("m")));
        Assert.Equal(2, harness.Status("m", 1)!.Settings.IntraOpThreads);
        Assert.False(models[0].IsDisposed);

        inFlight.Dispose();
        await models[0].Disposed;
        Assert.False(models[1].IsDisposed);
    }

    [Fact]
    public async Task SetDeployment_ReloadFails_OldInstanceKeepsServingWithTheError()
    {
        await using var harness = new HostHarness();
        await harness.PushAsync("m");
        await harness.CallAsync("m");
        harness.Engine.Fail("m:1", "too many threads");

        await harness.SetDeploymentAsync("m", new DeploymentOverrides { IntraOpThreads = 64 });

        Assert.Equal(1, await harness.CallAsync("m"));
        var status = harness.Status("m", 1)!;
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Equal(0, status.Settings.IntraOpThreads);
        Assert.Contains("too many threads", status.LastError, StringComparison.Ordinal);
        Assert.False(harness.Engine.Models.Single().IsDisposed);
    }

    [Fact]
    public async Task Preload_ModelSaysNo_LoadSettingsCarryTheOverrides()
    {
        await using var harness = new HostHarness(o => o.Defaults = new DeploymentSettings { MaxBatchSize = 4, KeepAlive = TimeSpan.Zero });
        await harness.PushAsync("m");
        await harness.Registry.SetDeploymentAsync("m", new DeploymentOverrides { MaxBatchSize = 32, Preload = false }, "test");

        var config = await harness.Host.RefreshConfigAsync("m", CancellationToken.None);
        await harness.CallAsync("m");

        Assert.False(config!.Settings.Preload);
        Assert.Equal(32, harness.Engine.Models.Single().Context.Settings.MaxBatchSize);
    }

    [Fact]
    public async Task SetDeployment_OnlyKeepAliveChanged_NeitherPipelineNorReloadInvolved()
    {
        await using var harness = new HostHarness();
        await harness.PushAsync("m");
        await harness.CallAsync("m");

        await harness.SetDeploymentAsync("m", new DeploymentOverrides { KeepAlive = TimeSpan.FromMinutes(9), Preload = false });

        Assert.Equal(1, harness.Engine.Loads("m:1"));
        Assert.Empty(harness.Pipelines.Applied);
        Assert.Equal(TimeSpan.FromMinutes(9), harness.Status("m", 1)!.Settings.KeepAlive);
    }
}
