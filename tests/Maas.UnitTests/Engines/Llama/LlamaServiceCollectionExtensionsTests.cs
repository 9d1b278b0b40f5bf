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
    public void AddMaasLlamaEngine_ZeroMaxSequences_FailsValidation()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMaasLlamaEngine(o => o.MaxSequences = 0);
        using var provider = services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LlamaEngineOptions>>().Value);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(8, 8)]
    public void DefaultThreads_ProcessorCount_UsesOneThreadOnSmallMachines(int processors, int expected)
    {
        Assert.Equal(expected, LlamaEngineOptions.DefaultThreads(processors));
    }

    [Fact]
    public void ContextCells_ConfiguredAboveWhatSequencesCanUse_IsCapped()
    {
        var options = new LlamaEngineOptions { ContextSize = 4096, MaxSequences = 2 };

        Assert.Equal(256, LlamaEngine.ContextCells(options, trainedContextLength: 128));
        Assert.Equal(4096, LlamaEngine.ContextCells(options, trainedContextLength: 0));
    }
}
