using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Jobs;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Jobs;

/// <summary>A real server with <see cref="TestQuantizeHandler"/> as its <c>quantize</c> job and the tiny add model
/// pushed as <c>adder:1</c>.</summary>
internal sealed class JobServer : IAsyncDisposable
{
    public const string Model = "adder";

    private JobServer(MaasTestServer server) => Server = server;

    public MaasTestServer Server { get; }

    public HttpClient Client => Server.Client;

    public TestQuantizeHandler Handler => (TestQuantizeHandler)Server.App.Services.GetServices<IJobHandler>().Last(h => h.Kind == "quantize");

    public static async Task<JobServer> StartAsync()
    {
        var server = await MaasTestServer.StartAsync(services: s =>
            s.AddSingleton<IJobHandler>(sp => new TestQuantizeHandler(sp.GetRequiredService<IModelRegistry>())));
        await server.PushAsync(Model, AddModel.Files(1));
        return new JobServer(server);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
