using Maas.Registry;
using Maas.Registry.Abstractions;
using Maas.Registry.Changes;
using Maas.Registry.Push;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Registry.Changes;

/// <summary>One replica: its own DI container (registry, change feed, fake clock) over a data folder it shares with others.</summary>
internal sealed class RegistryReplica : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<string> _announced = [];

    public RegistryReplica(string dataDirectory, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var services = new ServiceCollection();
        services.AddSingleton<ISignatureReader>(new FakeSignatureReader());
        services.AddSingleton<TimeProvider>(Time);
        services.AddMaasRegistry(o => o.DataDirectory = dataDirectory);
        _provider = services.BuildServiceProvider();
        Registry = _provider.GetRequiredService<ModelRegistry>();
        Feed = _provider.GetRequiredService<RegistryChangeFeed>();
        Registry.ModelChanged += (_, e) =>
        {
            lock (_announced)
            {
                _announced.Add(e.Model);
            }

            Changed.Writer.TryWrite(e.Model);
        };
    }

    public FakeTimeProvider Time { get; }

    public ModelRegistry Registry { get; }

    public RegistryChangeFeed Feed { get; }

    public IServiceProvider Services => _provider;

    /// <summary>Every ModelChanged this replica raised, in order.</summary>
    public System.Threading.Channels.Channel<string> Changed { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

    /// <summary>The models announced so far, and forgets them.</summary>
    public List<string> TakeAnnounced()
    {
        lock (_announced)
        {
            var taken = _announced.ToList();
            _announced.Clear();
            while (Changed.Reader.TryRead(out _))
            {
            }

            return taken;
        }
    }

    public Task<ModelVersionInfo> PushAsync(string model, string content, string? alias = null) =>
        Registry.PushAsync(new PushRequest { Model = model, Files = [RegistryTestHost.File("model.onnx", content)], Alias = alias, Actor = "tester" });

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}
