using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Gguf;
using Maas.Tests.Shared;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>One server with three tiny random-weight GGUF models, one per tool-calling template family (our own templates, their markers as tokens).</summary>
public sealed class ToolModelsFixture : IAsyncLifetime
{
    public const string Hermes = "tools-hermes";
    public const string Llama3 = "tools-llama3";
    public const string Mistral = "tools-mistral";

    private readonly List<string> _folders = [];
    private MaasTestServer? _server;

    public MaasTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public HttpClient Client => Server.Client;

    public async Task InitializeAsync()
    {
        _server = await MaasTestServer.StartAsync(settings:
        [
            "Maas:Serving:Defaults:MaxBatchSize=2",
            "Maas:Serving:Defaults:MaxQueue=8",
            "Maas:Llama:ContextSize=4096",
            "Maas:Serving:Defaults:IntraOpThreads=1",
        ]);
        foreach (var (name, template, tokens) in new[]
        {
            (Hermes, ToolTemplates.Hermes, ToolTemplates.HermesTokens),
            (Llama3, ToolTemplates.Llama3, ToolTemplates.Llama3Tokens),
            (Mistral, ToolTemplates.Mistral, ToolTemplates.MistralTokens),
        })
        {
            var (path, bytes) = LlamaModels.WriteTiny(new TinyLlamaOptions { Name = name, ContextLength = 4096, ChatTemplate = template, SpecialTokens = tokens });
            _folders.Add(Path.GetDirectoryName(path)!);
            await _server.PushAsync(name, [("model.gguf", bytes)]);
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        foreach (var folder in _folders)
        {
            TempFolder.Delete(folder);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ToolModelsCollection : ICollectionFixture<ToolModelsFixture>
{
    public const string Name = "tool models";
}
