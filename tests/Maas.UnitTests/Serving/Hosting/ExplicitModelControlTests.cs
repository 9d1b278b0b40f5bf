using Maas.Core.Errors;
using Maas.Serving.Hosting;

namespace Maas.UnitTests.Serving.Hosting;

/// <summary>The repository extension's explicit load and unload, against the real host and router over a fake engine.</summary>
public sealed class ExplicitModelControlTests
{
    [Fact]
    public async Task UnloadModelAsync_LoadedPinnedVersion_UnloadsItAndProbesDoNotLoadIt()
    {
        await using var harness = new HostHarness();
        var version = await harness.PushAsync("m", alias: "production");
        await harness.CallAsync("m");

        await harness.Service.UnloadModelAsync("m");

        Assert.Null(harness.Host.FindServing(version.Key));
        Assert.True(harness.Service.IsUnloaded("m"));
        Assert.Equal(ModelState.Unloaded, await harness.Service.GetStateAsync(new("m")));
        Assert.Equal(1, harness.Engine.Loads(version.Key));
        Assert.All(harness.Engine.Models, m => Assert.True(m.IsDisposed));
    }

    [Fact]
    public async Task UnloadModelAsync_ThenRequest_LoadsAgainAndEndsTheUnload()
    {
        await using var harness = new HostHarness();
        var version = await harness.PushAsync("m");
        await harness.CallAsync("m");
        await harness.Service.UnloadModelAsync("m");

        Assert.Equal(1, await harness.CallAsync("m"));

        Assert.False(harness.Service.IsUnloaded("m"));
        Assert.Equal(2, harness.Engine.Loads(version.Key));
    }

    [Fact]
    public async Task UnloadModelAsync_ThenAliasMoves_RouteMovesWithoutLoading()
    {
        await using var harness = new HostHarness();
        await harness.PushAsync("m", alias: "production");
        var second = await harness.PushAsync("m");
        await harness.CallAsync("m");
        await harness.Service.UnloadModelAsync("m");

        await harness.SetAliasAsync("m", "production", 2);

        Assert.Equal(0, harness.Engine.Loads(second.Key));
        Assert.Equal(2, await harness.CallAsync("m"));
        Assert.Equal(1, harness.Engine.Loads(second.Key));
    }

    [Fact]
    public async Task LoadModelAsync_AfterFailedLoadWithinBackoff_TriesAgainAndEndsTheUnload()
    {
        await using var harness = new HostHarness();
        var version = await harness.PushAsync("m");
        harness.Engine.Fail(version.Key, "broken file");
        await Assert.ThrowsAsync<MaasException>(() => harness.CallAsync("m"));
        await harness.Service.UnloadModelAsync("m");
        harness.Engine.Heal(version.Key);

        var deployment = await harness.Service.LoadModelAsync("m");

        Assert.Equal(ModelState.Ready, deployment.State);
        Assert.False(harness.Service.IsUnloaded("m"));
        Assert.Same(deployment, harness.Host.FindServing(version.Key));
    }

    [Fact]
    public async Task LoadModelAsync_FailingModel_ThrowsUnavailableWithTheReason()
    {
        await using var harness = new HostHarness();
        var version = await harness.PushAsync("m");
        harness.Engine.Fail(version.Key, "broken file");

        var ex = await Assert.ThrowsAsync<MaasException>(() => harness.Service.LoadModelAsync("m"));

        Assert.Equal(MaasErrorKind.Unavailable, ex.Kind);
        Assert.Contains("broken file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnloadModelAsync_UnknownModel_ThrowsNotFound()
    {
        await using var harness = new HostHarness();

        var ex = await Assert.ThrowsAsync<MaasException>(() => harness.Service.UnloadModelAsync("nope"));

        Assert.Equal(MaasErrorKind.NotFound, ex.Kind);
    }
}
