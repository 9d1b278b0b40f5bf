using System.Net;
using System.Text;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Gguf;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary><c>GET /v1/models</c> over a registry with several bases and adapters: each adapter names its own base as
/// <c>parent</c>, taken from the model's default version (production alias, else latest).</summary>
public sealed class ModelListTests : IAsyncLifetime
{
    private readonly string _folder = TempFolder.Create("maas-e2e-model-list");
    private MaasTestServer? _server;

    private MaasTestServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await MaasTestServer.StartAsync();
        foreach (var name in new[] { "alpha", "beta" })
        {
            var path = Path.Combine(_folder, name + ".gguf");
            TinyLlamaGguf.Write(path, new TinyLlamaOptions { Name = name });
            await Server.PushAsync(name, [("model.gguf", File.ReadAllBytes(path))]);
        }
    }

    [Fact]
    public async Task Models_SeveralAdaptersOverTwoBases_EachNamesItsParent()
    {
        await PushAdapterAsync("poet", "alpha");
        await PushAdapterAsync("critic", "beta");
        await PushAdapterAsync("scribe", "alpha");

        var parents = await ParentsAsync();

        Assert.Equal("alpha", parents["poet"]);
        Assert.Equal("beta", parents["critic"]);
        Assert.Equal("alpha", parents["scribe"]);
        Assert.Null(parents["alpha"]);
        Assert.Null(parents["beta"]);
    }

    [Fact]
    public async Task Models_AdapterVersionsOverDifferentBases_ParentFollowsTheDefaultVersion()
    {
        await PushAdapterAsync("switch", "alpha");
        await PushAdapterAsync("switch", "beta");
        Assert.Equal("beta", (await ParentsAsync())["switch"]);

        using (var content = new StringContent("{\"version\": 1}", Encoding.UTF8, "application/json"))
        using (var moved = await Server.Client.PutAsync("/api/models/switch/aliases/production", content))
        {
            Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        }

        Assert.Equal("alpha", (await ParentsAsync())["switch"]);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TempFolder.Delete(_folder);
    }

    private async Task<Dictionary<string, string?>> ParentsAsync()
    {
        var (status, body) = await Json.GetAsync(Server.Client, "/v1/models");
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("data").EnumerateArray().ToDictionary(
            m => m.GetProperty("id").GetString()!,
            m => m.TryGetProperty("parent", out var parent) ? parent.GetString() : null);
    }

    private async Task PushAdapterAsync(string model, string baseModel)
    {
        var adapterPath = Path.Combine(_folder, $"{model}-{baseModel}.gguf");
        LoraGguf.Write(Path.Combine(_folder, baseModel + ".gguf"), adapterPath, new LoraAdapterOptions { Name = model });
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(File.ReadAllBytes(adapterPath)), "file", "adapter.gguf" },
            { new StringContent(baseModel), "base" },
        };
        using var response = await Server.Client.PostAsync($"/api/models/{model}/versions", form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
