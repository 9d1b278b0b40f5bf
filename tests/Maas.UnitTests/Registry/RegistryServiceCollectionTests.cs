using Maas.Registry;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Registry;

public sealed class RegistryServiceCollectionTests
{
    [Fact]
    public void AddMaasRegistry_Defaults_ResolvesOneSingletonRegistry()
    {
        using var provider = new ServiceCollection().AddMaasRegistry(o => o.DataDirectory = RegistryTestHost.NewDataDirectory()).BuildServiceProvider();

        var first = provider.GetRequiredService<IModelRegistry>();

        Assert.Same(first, provider.GetRequiredService<IModelRegistry>());
        Assert.Same(first, provider.GetRequiredService<ModelRegistry>());
    }

    [Fact]
    public void AddMaasRegistry_RegistryAlreadyRegistered_KeepsTheHostsOwn()
    {
        using var other = new ServiceCollection().AddMaasRegistry(o => o.DataDirectory = RegistryTestHost.NewDataDirectory()).BuildServiceProvider();
        var own = other.GetRequiredService<IModelRegistry>();
        var services = new ServiceCollection();
        services.AddSingleton(own);

        using var provider = services.AddMaasRegistry().BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<IModelRegistry>());
    }

    [Theory]
    [InlineData("", "registry.db")]
    [InlineData("./data", " ")]
    [InlineData("./data", "sub/")]
    public void AddMaasRegistry_InvalidOptions_FailsValidation(string dataDirectory, string databaseFile)
    {
        using var provider = new ServiceCollection()
            .AddMaasRegistry(o => (o.DataDirectory, o.DatabaseFile) = (dataDirectory, databaseFile))
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RegistryOptions>>().Value);
    }

    [Fact]
    public async Task AddMaasRegistry_RelativeDatabaseFile_LivesUnderDataDirectory()
    {
        await using var host = RegistryTestHost.Create();

        await host.Registry.InitializeAsync();

        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "registry.db")));
    }
}
