using Maas.Core.Engines;
using Maas.Serving.Hosting;
using Maas.UnitTests.Serving.Hosting;

namespace Maas.UnitTests.Serving.Routing;

public sealed class ModelRouterTests
{
    [Fact]
    public async Task AliasMovedToVersionThatFailsToLoad_OldVersionKeepsServingAndFailureRecorded()
    {
        await using var harness = await FirstVersionServingSecondPushedAsync();
        harness.Engine.Fail("m:2", "unknown op type 'Bogus'");

        await harness.SetAliasAsync("m", "production", 2);

        Assert.Equal(1, await harness.CallAsync("m"));
        Assert.Equal(ModelState.Ready, harness.Status("m", 1)!.State);
        var failed = harness.Status("m", 2)!;
        Assert.Equal(ModelState.Failed, failed.State);
        Assert.Contains("unknown op type 'Bogus'", failed.LastError, StringComparison.Ordinal);
        Assert.False(harness.Engine.Models.Single().IsDisposed);
    }

    [Fact]
    public async Task AliasMovedToVersionThatFailsToLoad_OldVersionStaysPinnedThroughIdleSweep()
    {
        await using var harness = new HostHarness(o => o.Defaults = new DeploymentSettings { KeepAlive = TimeSpan.FromMinutes(1) });
        await harness.PushAsync("m", alias: "production");
        await harness.PushAsync("m");
        Assert.Equal(1, await harness.CallAsync("m"));
        harness.Engine.Fail("m:2", "broken");
        await harness.SetAliasAsync("m", "production", 2);

        // The registry names version 2 now, but the production route still serves version 1: it must not go idle.
        Assert.True(harness.Status("m", 1)!.Pinned);
        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await harness.Host.SweepIdleAsync();

        Assert.Equal(ModelState.Ready, harness.Status("m", 1)!.State);
        Assert.Equal(1, harness.Engine.Loads("m:1"));
    }

    [Fact]
    public async Task FailedTarget_RetriedAfterBackoffThenRouteMoves()
    {
        await using var harness = await ProductionMovedToFailingVersionAsync();

        // Fails again at the first retry (5 s): the next one waits twice as long.
        await harness.AdvanceAsync(TimeSpan.FromSeconds(4.9), "m");
        Assert.Equal(1, harness.Engine.Loads("m:2"));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(0.1), "m");
        Assert.Equal(2, harness.Engine.Loads("m:2"));
        Assert.Equal(harness.Clock.GetUtcNow() + TimeSpan.FromSeconds(10), harness.Status("m", 2)!.NextRetryAt);

        harness.Engine.Heal("m:2");
        await harness.AdvanceAsync(TimeSpan.FromSeconds(9.9), "m");
        Assert.Equal(1, await harness.CallAsync("m"));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(0.1), "m");

        Assert.Equal(3, harness.Engine.Loads("m:2"));
        Assert.Equal(2, await harness.CallAsync("m"));
        Assert.Null(harness.Status("m", 1));
        Assert.True(harness.Engine.Models.Single(m => m.Context.Key == "m:1").IsDisposed);
    }

    [Fact]
    public async Task FailedTarget_NextRegistryChangeRetriesAtOnce()
    {
        await using var harness = await ProductionMovedToFailingVersionAsync();
        harness.Engine.Heal("m:2");

        await harness.Registry.UpdateModelAsync("m", "fixed", null, "test");
        await harness.Router.WhenReconciled("m");

        Assert.Equal(2, await harness.CallAsync("m"));
        Assert.Equal(2, harness.Engine.Loads("m:2"));
    }

    [Fact]
    public async Task AliasMovedBackFromFailedTarget_FailureForgotten()
    {
        await using var harness = await ProductionMovedToFailingVersionAsync();

        await harness.SetAliasAsync("m", "production", 1);

        Assert.Null(harness.Status("m", 2));
        Assert.Null(harness.Host.NextRetry("m"));
        Assert.Equal(1, await harness.CallAsync("m"));
    }

    [Fact]
    public async Task AliasMoved_TargetReady_RouteMovesAndOldUnloaded()
    {
        await using var harness = await FirstVersionServingSecondPushedAsync();

        await harness.SetAliasAsync("m", "production", 2);

        Assert.Equal(2, await harness.CallAsync("m"));
        Assert.Null(harness.Status("m", 1));
        Assert.Equal(ModelState.Ready, harness.Status("m", 2)!.State);
        Assert.True(harness.Engine.Models.Single(m => m.Context.Key == "m:1").IsDisposed);
    }

    /// <summary>Versions 1 and 2 pushed, <c>production</c> on 1, which is loaded and serving.</summary>
    private static async Task<HostHarness> FirstVersionServingSecondPushedAsync()
    {
        var harness = new HostHarness();
        try
        {
            await harness.PushAsync("m", alias: "production");
            await harness.PushAsync("m");
            Assert.Equal(1, await harness.CallAsync("m"));
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>As <see cref="FirstVersionServingSecondPushedAsync"/>, then <c>production</c> moved to version 2, whose
    /// load fails ("broken").</summary>
    private static async Task<HostHarness> ProductionMovedToFailingVersionAsync()
    {
        var harness = await FirstVersionServingSecondPushedAsync();
        harness.Engine.Fail("m:2", "broken");
        await harness.SetAliasAsync("m", "production", 2);
        return harness;
    }
}
