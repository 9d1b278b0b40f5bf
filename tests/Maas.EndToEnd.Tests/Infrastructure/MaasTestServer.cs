using Maas.Tests.Shared;
using System.Net.Http.Json;
using Maas.Server;
using Microsoft.AspNetCore.Builder;

namespace Maas.EndToEnd.Tests.Infrastructure;

/// <summary>The real server on a free loopback port with its own temporary data folder.</summary>
public sealed class MaasTestServer : IAsyncDisposable
{
    private MaasTestServer(WebApplication app, string dataDirectory, Uri baseAddress, int grpcPort)
    {
        App = app;
        GrpcAddress = grpcPort == 0 ? null : new Uri($"http://127.0.0.1:{grpcPort}");
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>The gRPC endpoint (HTTP/2 only) when started with <c>grpc: true</c>.</summary>
    public Uri? GrpcAddress { get; }

    /// <summary>Starts a server and waits until its start-up loading is done.</summary>
    /// <param name="samples">Register the sample model on the empty registry.</param>
    /// <param name="settings">Configuration overrides such as <c>Maas:Limits:MaxRequestBodyBytes=1000</c>.</param>
    /// <param name="dataDirectory">Reuse a data folder (restart scenarios); a new temporary one by default.</param>
    /// <param name="grpc">Also serve gRPC, on a free port (<see cref="GrpcAddress"/>).</param>
    /// <param name="services">Extra registrations, e.g. test job handlers.</param>
    public static async Task<MaasTestServer> StartAsync(
        bool samples = false,
        IEnumerable<string>? settings = null,
        string? dataDirectory = null,
        bool grpc = false,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        dataDirectory ??= TempFolder.Create("maas-e2e");
        var args = (settings ?? []).Select(s => "--" + s).ToArray();
        var grpcPort = grpc ? FreePorts.Next() : 0;
        var app = MaasServer.Build(new MaasServerOptions { DataDirectory = dataDirectory, HttpPort = 0, GrpcPort = grpcPort, RegisterSamples = samples }, args, services);
        await app.StartAsync();
        var address = app.Urls.First(u => grpcPort == 0 || new Uri(u).Port != grpcPort);
        var server = new MaasTestServer(app, dataDirectory, new Uri(address), grpcPort);
        await server.WaitUntilReadyAsync();
        return server;
    }


    public async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Client.GetAsync("/v2/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The server did not become ready.");
    }

    /// <summary>Pushes files through the admin API and returns the created version number.</summary>
    public async Task<int> PushAsync(string model, IEnumerable<(string Name, byte[] Content)> files, string? alias = null, string? manifestJson = null)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            form.Add(new ByteArrayContent(content), "file", name);
        }

        if (alias is not null)
        {
            form.Add(new StringContent(alias), "alias");
        }

        if (manifestJson is not null)
        {
            form.Add(new StringContent(manifestJson, System.Text.Encoding.UTF8, "application/json"), "manifest");
        }

        using var response = await Client.PostAsync($"/api/models/{model}/versions", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"push failed: {(int)response.StatusCode} {body}");
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("version").GetInt32();
    }

    public async Task AssertLiveAsync()
    {
        var live = await Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/v2/health/live");
        Assert.True(live.GetProperty("live").GetBoolean());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        TempFolder.Delete(DataDirectory);
    }
}
