using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.OpenAi;
using Maas.Formats.Gguf;
using Maas.Server.Security.Limits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>One server with a tiny GGUF model, small text and token limits, test claims and a fake limits clock.</summary>
public sealed class GenerationGuardFixture : IAsyncLifetime
{
    public const string Model = "tiny-guard";
    public const int MaxStringLength = 300;
    public const int MaxCompletionTokens = 16;
    public const int MaxPromptTokens = 40;

    private MaasTestServer? _server;
    private string? _modelFolder;

    public FakeTimeProvider Time { get; } = new();

    public MaasTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>A client whose requests carry key <paramref name="key"/> with its own tokens-per-minute quota.</summary>
    public HttpClient ClientFor(string key, long? tokensPerMinute)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add(TestClaims.KeyHeader, key);
        if (tokensPerMinute is { } tpm)
        {
            client.DefaultRequestHeaders.Add(TestClaims.TpmHeader, tpm.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return client;
    }

    public async Task InitializeAsync()
    {
        var (path, bytes) = LlamaModels.WriteTiny(new TinyLlamaOptions { Name = Model, ContextLength = 512 });
        _modelFolder = Path.GetDirectoryName(path);
        _server = await MaasTestServer.StartAsync(
            settings:
            [
                "Maas:Serving:Defaults:MaxBatchSize=2",
                "Maas:Llama:ContextSize=1024",
                "Maas:Serving:Defaults:IntraOpThreads=1",
                $"Maas:Limits:MaxStringLength={MaxStringLength}",
                $"Maas:Limits:MaxCompletionTokens={MaxCompletionTokens}",
                $"Maas:Limits:MaxPromptTokens={MaxPromptTokens}",
            ],
            services: services =>
            {
                services.AddSingleton(new LimitsClock(Time));
                TestClaims.Register(services);
            });
        await _server.PushAsync(Model, [("model.gguf", bytes)]);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_modelFolder is not null)
        {
            TempFolder.Delete(_modelFolder);
        }
    }
}
