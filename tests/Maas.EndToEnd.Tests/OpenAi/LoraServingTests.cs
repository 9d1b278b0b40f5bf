using System.Net;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Gguf;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>LoRA adapters through the server: pushed over a base, requested as <c>base+adapter</c> or by their own name,
/// concurrently, each equal to its merged-weights model (merged by our own arithmetic, served as a normal model).</summary>
public sealed class LoraServingTests : IAsyncLifetime
{
    private const string Base = "tiny-base";
    private readonly string _folder = TempFolder.Create("maas-e2e-lora");
    private MaasTestServer? _server;

    private MaasTestServer Server => _server!;

    public async Task InitializeAsync()
    {
        var basePath = Path.Combine(_folder, "base.gguf");
        TinyLlamaGguf.Write(basePath, new TinyLlamaOptions { Name = Base, ContextLength = 256 });
        foreach (var (name, seed) in new[] { ("poet", 21), ("critic", 22) })
        {
            LoraGguf.Write(basePath, Path.Combine(_folder, name + ".gguf"), new LoraAdapterOptions { Name = name, Seed = seed });
            LoraGguf.Merge(basePath, Path.Combine(_folder, name + ".gguf"), Path.Combine(_folder, name + "-merged.gguf"));
        }

        _server = await MaasTestServer.StartAsync(settings:
        [
            "Maas:Serving:Defaults:MaxBatchSize=4",
            "Maas:Llama:ContextSize=512",
            "Maas:Serving:Defaults:IntraOpThreads=1",
        ]);
        await Server.PushAsync(Base, [("model.gguf", File.ReadAllBytes(basePath))]);
        foreach (var name in new[] { "poet", "critic" })
        {
            var (status, body) = await PushAdapterAsync(name, Base);
            Assert.True(status == HttpStatusCode.Created, body);
            await Server.PushAsync(name + "-merged", [("model.gguf", File.ReadAllBytes(Path.Combine(_folder, name + "-merged.gguf")))]);
        }
    }

    [Fact]
    public async Task Completions_TwoAdaptersConcurrently_EachEqualsItsMergedModel()
    {
        string[] prompts = ["hello", "the model is", "a test of one two"];
        var expectedPoet = await Task.WhenAll(prompts.Select(p => CompleteAsync("poet-merged", p)));
        var expectedCritic = await Task.WhenAll(prompts.Select(p => CompleteAsync("critic-merged", p)));
        var plain = await Task.WhenAll(prompts.Select(p => CompleteAsync(Base, p)));

        // Both adapters at once, one named base+adapter, the other by its own name.
        var poet = prompts.Select(p => CompleteAsync($"{Base}+poet", p)).ToList();
        var critic = prompts.Select(p => CompleteAsync("critic", p)).ToList();
        await Task.WhenAll(poet.Concat(critic));

        Assert.Equal(expectedPoet, poet.Select(t => t.Result));
        Assert.Equal(expectedCritic, critic.Select(t => t.Result));
        Assert.NotEqual(plain, expectedPoet);
        Assert.NotEqual(expectedPoet, expectedCritic);

        // One copy of the base weights: the adapters' deployments hold their contexts, not the weights again.
        var memory = await DeploymentMemoryAsync();
        var weights = new FileInfo(Path.Combine(_folder, "base.gguf")).Length;
        // (Same context size everywhere, so a merged model holds an adapter's bytes plus the weights.)
        Assert.True(memory["poet"] + (weights * 9 / 10) < memory["poet-merged"], $"adapter holds {memory["poet"]} bytes, merged {memory["poet-merged"]}; the weights are {weights}");
        Assert.True(memory["critic"] + (weights * 9 / 10) < memory["critic-merged"]);
        Assert.True(memory[Base] > weights * 9 / 10, "the base counts the shared weights");
    }

    [Fact]
    public async Task Completions_AdapterUnloaded_BaseAndOtherAdapterKeepServing()
    {
        var critic = await CompleteAsync("critic", "hello");
        var plain = await CompleteAsync(Base, "hello");
        await CompleteAsync("poet", "hello");

        using var unload = await Server.Client.PostAsync("/v2/repository/models/poet/unload", null);
        Assert.True(unload.IsSuccessStatusCode);

        Assert.Equal(critic, await CompleteAsync("critic", "hello"));
        Assert.Equal(plain, await CompleteAsync(Base, "hello"));
        Assert.DoesNotContain("poet", (await DeploymentMemoryAsync()).Keys);
    }

    [Fact]
    public async Task Completions_AdapterUnderWrongBase_Returns400()
    {
        var (status, body) = await Json.PostAsync(Server.Client, "/v1/completions", OpenAiHttp.Completion("critic-merged+poet", "hello", 4));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("was made for base 'tiny-base'", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await Server.AssertLiveAsync();
    }

    [Fact]
    public async Task Push_AdapterForOtherBase_Returns400AndServerKeepsServing()
    {
        var otherBase = Path.Combine(_folder, "narrow.gguf");
        TinyLlamaGguf.Write(otherBase, new TinyLlamaOptions { EmbeddingLength = 32, FeedForwardLength = 64 });
        await Server.PushAsync("narrow", [("model.gguf", File.ReadAllBytes(otherBase))]);

        var (status, body) = await PushAdapterAsync("poet", "narrow", modelName: "poet-narrow");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("does not fit base narrow:1", body, StringComparison.Ordinal);
        Assert.NotEmpty(await CompleteAsync("poet", "hello"));
    }

    [Fact]
    public async Task Models_ListsAdaptersWithTheirBase()
    {
        var (status, body) = await Json.GetAsync(Server.Client, "/v1/models");

        Assert.Equal(HttpStatusCode.OK, status);
        var models = body.GetProperty("data").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        Assert.Equal(Base, models["poet"].GetProperty("parent").GetString());
        Assert.Equal(Base, models["critic"].GetProperty("parent").GetString());
        Assert.False(models[Base].TryGetProperty("parent", out _));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TempFolder.Delete(_folder);
    }

    private async Task<string> CompleteAsync(string model, string prompt)
    {
        var (status, body) = await Json.PostAsync(Server.Client, "/v1/completions", OpenAiHttp.Completion(model, prompt, 24));
        Assert.True(status == HttpStatusCode.OK, $"{model}: {(int)status} {body}");
        return body.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    private async Task<Dictionary<string, long>> DeploymentMemoryAsync()
    {
        var (_, body) = await Json.GetAsync(Server.Client, "/api/deployments");
        return body.GetProperty("deployments").EnumerateArray()
            .Where(d => d.GetProperty("state").GetString() == "ready")
            .ToDictionary(d => d.GetProperty("model").GetString()!, d => d.GetProperty("memory_bytes").GetInt64());
    }

    private async Task<(HttpStatusCode Status, string Body)> PushAdapterAsync(string adapter, string baseModel, string? modelName = null)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(File.ReadAllBytes(Path.Combine(_folder, adapter + ".gguf"))), "file", "adapter.gguf" },
            { new StringContent(baseModel), "base" },
        };
        using var response = await Server.Client.PostAsync($"/api/models/{modelName ?? adapter}/versions", form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
