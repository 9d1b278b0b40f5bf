namespace Maas.EndToEnd.Tests.Infrastructure;

/// <summary>One server with the sample model, shared by a collection (registering the 90 MB sample takes a while).</summary>
public sealed class SampleServerFixture : IAsyncLifetime
{
    private MaasTestServer? _server;

    public MaasTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await MaasTestServer.StartAsync(samples: true, grpc: true);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SampleServerCollection : ICollectionFixture<SampleServerFixture>
{
    public const string Name = "sample server";
}
