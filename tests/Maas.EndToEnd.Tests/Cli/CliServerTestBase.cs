using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Cli;

/// <summary>A fresh server (empty registry) and a <c>maas</c> CLI pointed at it for each test, with a temporary folder
/// for the files the test writes; all three go when the test ends.</summary>
public abstract class CliServerTestBase(string filesPrefix) : IAsyncLifetime
{
    private MaasTestServer? _server;
    private CliRunner? _cli;

    /// <summary>A folder of the test's own, removed after it.</summary>
    protected string Files { get; } = TempFolder.Create(filesPrefix);

    protected MaasTestServer Server => _server!;

    private protected CliRunner Cli => _cli!;

    public async Task InitializeAsync()
    {
        _server = await MaasTestServer.StartAsync();
        _cli = new CliRunner(_server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        _cli?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TempFolder.Delete(Files);
    }
}
