using Maas.Core.Engines;
using Maas.Engines.Llama;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Engines.Llama;

public sealed class LlamaServiceCollectionExtensionsTests
{
    [Fact]
    public void AddMaasLlamaEngine_CalledTwice_RegistersOneLlamaEngine()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMaasLlamaEngine();
        services.AddMaasLlamaEngine();
        using var provider = services.BuildServiceProvider();

        var engine = Assert.Single(provider.GetServices<IModelEngine>());

        Assert.Equal("llama", engine.Name);
    }

    [Fact]
    public void AddMaasLlamaEngine_TinyContext_FailsValidation()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMaasLlamaEngine(o => o.ContextSize = 8);
        using var provider = services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LlamaEngineOptions>>().Value);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(8, 8)]
    public void EffectiveThreads_Automatic_UsesOneThreadOnSmallMachines(int processors, int expected)
    {
        Assert.Equal(expected, LlamaEngine.EffectiveThreads(0, processors));
    }

    [Fact]
    public void EffectiveThreads_Configured_UsesTheDeploymentSetting()
    {
        Assert.Equal(3, LlamaEngine.EffectiveThreads(3, 2));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(4, 4)]
    [InlineData(1000, 256)]
    public void Sequences_MaxBatchSize_ClampedToLlamaLimits(int maxBatchSize, int expected)
    {
        Assert.Equal(expected, LlamaEngine.Sequences(new DeploymentSettings { MaxBatchSize = maxBatchSize }));
    }

    [Fact]
    public void ContextCells_ConfiguredAboveWhatSequencesCanUse_IsCapped()
    {
        var options = new LlamaEngineOptions { ContextSize = 4096 };

        Assert.Equal(256, LlamaEngine.ContextCells(options, sequences: 2, trainedContextLength: 128));
        Assert.Equal(4096, LlamaEngine.ContextCells(options, sequences: 2, trainedContextLength: 0));
    }
}
