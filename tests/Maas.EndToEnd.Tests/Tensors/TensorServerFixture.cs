using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>One empty server shared by the tensor tests; each test pushes its own models under fresh names.</summary>
public sealed class TensorServerFixture : IAsyncLifetime
{
    private MaasTestServer? _server;
    private int _counter;

    public MaasTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public HttpClient Client => Server.Client;

    public async Task InitializeAsync() => _server = await MaasTestServer.StartAsync(grpc: true);

    /// <summary>Pushes a model built by <paramref name="model"/> under a name no other test uses and returns that name.</summary>
    public async Task<string> PushAsync(string prefix, OnnxModelBuilder model)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _counter)}";
        await Server.PushAsync(name, [("model.onnx", model.ToBytes())]);
        return name;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TensorServerCollection : ICollectionFixture<TensorServerFixture>
{
    public const string Name = "tensor server";
}
