using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Serving.Pipelines;

namespace Maas.UnitTests.Serving.Generation;

/// <summary>Live settings and admission state of <see cref="GenerationPipeline"/>.</summary>
public sealed class GenerationPipelineSettingsTests
{
    [Fact]
    public async Task TryApply_SameSequencesShorterQueue_AppliesLiveAndRejectsPastIt()
    {
        var generator = new FakeTextGenerator { StepGate = new SemaphoreSlim(0) };
        await using var harness = new GenerationHarness(generator, maxSequences: 1, maxQueue: 4);

        Assert.True(harness.Pipeline.TryApply(new DeploymentSettings { MaxBatchSize = 1, MaxQueue = 1 }));
        var running = harness.RunAsync(GenerationHarness.Request("a", maxTokens: 2));
        var queued = harness.RunAsync(GenerationHarness.Request("b", maxTokens: 2));
        var ex = await Assert.ThrowsAsync<MaasException>(() => harness.RunAsync(GenerationHarness.Request("c", maxTokens: 2)));

        Assert.Equal(MaasErrorKind.TooManyRequests, ex.Kind);
        await GenerationHarness.WaitUntilAsync(() => harness.Pipeline.Load == new PipelineLoad(1, 1));
        generator.StepGate.Release(100);
        await running;
        await queued;
        Assert.Equal(new PipelineLoad(0, 0), harness.Pipeline.Load);
    }

    [Fact]
    public async Task TryApply_DifferentSequenceCount_NeedsReload()
    {
        await using var harness = new GenerationHarness(new FakeTextGenerator(), maxSequences: 4);

        Assert.False(harness.Pipeline.TryApply(new DeploymentSettings { MaxBatchSize = 2, MaxQueue = 64 }));
        Assert.False(harness.Pipeline.TryApply(new DeploymentSettings { MaxBatchSize = 4, MaxQueue = 1000 }));
        Assert.True(harness.Pipeline.TryApply(new DeploymentSettings { MaxBatchSize = 4, MaxQueue = 8 }));
    }
}
