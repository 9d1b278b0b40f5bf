using System.Net;
using System.Text;
using System.Text.Json;
using Maas.Core.Models;
using Maas.Server;
using Maas.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.Bench;

/// <summary>A server in this process on a free port, with its own data folder, and a client that posts one sentence
/// per request to <c>/v2/models/{model}/infer</c>.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly Microsoft.AspNetCore.Builder.WebApplication _app;
    private readonly string _data;
    private readonly SocketsHttpHandler _handler = new() { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
    private readonly HttpClient _client;
    private readonly string _model;
    private readonly byte[][] _bodies;

    private BenchServer(Microsoft.AspNetCore.Builder.WebApplication app, string data, string model, IEnumerable<string> sentences)
    {
        _app = app;
        _data = data;
        _model = model;
        _bodies = sentences.Select(s => Encoding.UTF8.GetBytes(
            $$"""{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":[{{JsonSerializer.Serialize(s)}}]}]}""")).ToArray();
        _client = new HttpClient(_handler) { BaseAddress = new Uri(app.Urls.First()) };
    }

    public IServiceProvider Services => _app.Services;

    public static async Task<BenchServer> StartAsync(string model, IEnumerable<string> sentences, string[] settings)
    {
        var data = Path.Combine(Path.GetTempPath(), $"maas-bench-{Guid.NewGuid():N}");
        var app = MaasServer.Build(new MaasServerOptions { DataDirectory = data, HttpPort = 0, GrpcPort = 0 }, [.. settings, "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync().ConfigureAwait(false);
        await app.Services.GetRequiredService<IInferenceService>().GetDeploymentAsync(new ModelReference(model)).ConfigureAwait(false);
        return new BenchServer(app, data, model, sentences);
    }

    public async Task PostAsync(int i)
    {
        using var content = new ByteArrayContent(_bodies[i % _bodies.Length]);
        content.Headers.ContentType = new("application/json");
        using var response = await _client.PostAsync($"/v2/models/{_model}/infer", content).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
        }

        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _handler.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_data, recursive: true);
    }
}
