using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Registry;
using Maas.Registry.Abstractions;
using Maas.Registry.Push;
using Maas.Serving;
using Maas.Serving.Hosting;
using Maas.Serving.Routing;
using Maas.UnitTests.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Serving.Hosting;

/// <summary>The real registry, host and router over a fake engine, fake pipelines and a fake clock.</summary>
internal sealed class HostHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly string _dataDirectory = RegistryTestHost.NewDataDirectory();

    public HostHarness(Action<ServingOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<ISignatureReader>(new FakeSignatureReader());
        services.AddSingleton<IModelEngine>(Engine);
        services.AddSingleton<IPipelineBuilder>(Pipelines);
        services.AddMaasRegistry(o => o.DataDirectory = _dataDirectory);
        services.AddMaasServing(o =>
        {
            o.MemoryBudget = 0;
            o.IdleCheckInterval = TimeSpan.FromDays(30);
            o.Defaults = new DeploymentSettings { KeepAlive = TimeSpan.Zero };
            configure?.Invoke(o);
        });
        _provider = services.BuildServiceProvider();
        Registry = _provider.GetRequiredService<ModelRegistry>();
        Host = _provider.GetRequiredService<ModelHost>();
        Router = _provider.GetRequiredService<ModelRouter>();
        Service = _provider.GetRequiredService<InferenceService>();
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeEngine Engine { get; } = new();

    public FakePipelineBuilder Pipelines { get; } = new();

    public ModelRegistry Registry { get; }

    public ModelHost Host { get; }

    public ModelRouter Router { get; }

    public InferenceService Service { get; }

    /// <summary>Pushes a version with distinct content and returns it.</summary>
    public async Task<ModelVersionInfo> PushAsync(string model, string? alias = null)
    {
        var version = await Registry.PushAsync(new PushRequest
        {
            Model = model,
            Files = [RegistryTestHost.File("model.onnx", Guid.NewGuid().ToString())],
            Alias = alias,
            Actor = "test",
        });
        await Router.WhenReconciled(model);
        return version;
    }

    /// <summary>Runs a request through the service and returns the version that answered.</summary>
    public Task<int> CallAsync(string reference) =>
        Service.RunAsync(ModelReference.Parse(reference), (version, _, _) => ValueTask.FromResult(version.Version));

    public async Task SetAliasAsync(string model, string alias, int version)
    {
        await Registry.SetAliasAsync(model, alias, version, "test");
        await Router.WhenReconciled(model);
    }

    public async Task SetDeploymentAsync(string model, DeploymentOverrides overrides)
    {
        await Registry.SetDeploymentAsync(model, overrides, "test");
        await Router.WhenReconciled(model);
    }

    /// <summary>Moves the clock and waits for any reconciliation a retry timer started.</summary>
    public async Task AdvanceAsync(TimeSpan by, string model)
    {
        Clock.Advance(by);
        await Router.WhenReconciled(model);
    }

    public DeploymentStatus? Status(string model, int version) =>
        Host.Status(model).SingleOrDefault(s => s.Version == version);

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        RegistryTestHost.DeleteDirectory(_dataDirectory);
    }
}
