using Maas.Core.Engines;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Gguf;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>One server with one tiny GGUF model (4 sequences, queue of 16), plus the same file loaded in-process as a reference.</summary>
/// <remarks>Tests only read from the model; none changes the registry, so they can share it.</remarks>
public sealed class LlamaServerFixture : IAsyncLifetime
{
    public const string Model = "tiny-llm";
    public const string Alias = "production";
    public const int MaxSequences = 4;

    private readonly SemaphoreSlim _referenceLock = new(1, 1);
    private MaasTestServer? _server;
    private ITextGenerator? _reference;
    private string? _modelFolder;

    public MaasTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public HttpClient Client => Server.Client;

    public async Task InitializeAsync()
    {
        var (path, bytes) = LlamaModels.WriteTiny(new TinyLlamaOptions { Name = Model, ContextLength = 512 });
        _modelFolder = Path.GetDirectoryName(path);
        _server = await MaasTestServer.StartAsync(settings:
        [
            $"Maas:Serving:Defaults:MaxBatchSize={MaxSequences}",
            "Maas:Serving:Defaults:MaxQueue=16",
            "Maas:Llama:ContextSize=2048",
            "Maas:Serving:Defaults:IntraOpThreads=1",
        ]);
        await _server.PushAsync(Model, [("model.gguf", bytes)], Alias);
        _reference = await LlamaModels.LoadInProcessAsync(path, contextSize: 512);
    }

    /// <summary>Greedy decoding of <paramref name="prompt"/> with the same model file, in this process.</summary>
    public async Task<(string Text, int Tokens, bool Ended)> ReferenceGreedyAsync(string prompt, int maxTokens)
    {
        await _referenceLock.WaitAsync();
        try
        {
            return await LlamaModels.GreedyAsync(_reference!, prompt, maxTokens);
        }
        finally
        {
            _referenceLock.Release();
        }
    }

    /// <summary>Prompt tokens (BOS included) as the server counts them.</summary>
    public int CountPromptTokens(string prompt) => _reference!.Tokenize(prompt, addSpecialTokens: true).Count;

    /// <summary>The same model's tokens for <paramref name="text"/>, tokenized in this process.</summary>
    public IReadOnlyList<int> Tokenize(string text, bool addSpecialTokens) => _reference!.Tokenize(text, addSpecialTokens);

    public async Task DisposeAsync()
    {
        if (_reference is not null)
        {
            await _reference.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_modelFolder is not null)
        {
            TempFolder.Delete(_modelFolder);
        }

        _referenceLock.Dispose();
    }
}

/// <remarks>Runs alone, after the parallel collections: its tests bound how fast overload is refused and how much
/// memory a burst leaves, which measure the server only while other suites are not loading the same two cores.</remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LlamaServerCollection : ICollectionFixture<LlamaServerFixture>
{
    public const string Name = "llama server";
}
