using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Gguf;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>A client that goes away mid-stream frees its sequence: decoding for it stops and its slot is reused.</summary>
public sealed class GenerationDisconnectTests : IAsyncLifetime
{
    private const string Model = "tiny-long";
    private const int MaxSequences = 2;
    private const int Queue = 1;

    // Long enough that the abandoned stream would run for many seconds if the server kept decoding it.
    private const int ContextLength = 16384;

    private MaasTestServer? _server;
    private string? _modelFolder;

    public async Task InitializeAsync()
    {
        var (path, bytes) = LlamaModels.WriteTiny(new TinyLlamaOptions { Name = Model, ContextLength = ContextLength });
        _modelFolder = Path.GetDirectoryName(path);
        _server = await MaasTestServer.StartAsync(settings:
        [
            $"Maas:Serving:Defaults:MaxBatchSize={MaxSequences}",
            $"Maas:Serving:Defaults:MaxQueue={Queue}",
            $"Maas:Llama:ContextSize={ContextLength * MaxSequences}",
            "Maas:Serving:Defaults:IntraOpThreads=1",
        ]);
        await _server.PushAsync(Model, [("model.gguf", bytes)]);
    }

    [Fact]
    public async Task Stream_ClientCancelsAfterFirstChunk_FreesItsSequence()
    {
        var server = _server!;
        using var meter = new GenerationMeter(server.App.Services.GetRequiredService<IMeterFactory>());
        using var cancel = new CancellationTokenSource();
        var body = OpenAiHttp.Completion(Model, "hello world", ContextLength - 16, stream: true);

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = OpenAiHttp.Body(body) })
        using (var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            var first = await reader.ReadLineAsync(cancel.Token);
            Assert.StartsWith("data: {", first);
            using var chunk = JsonDocument.Parse(first!["data: ".Length..]);
            Assert.Equal(JsonValueKind.Null, chunk.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
            await cancel.CancelAsync();
        }

        // The scheduler drops the sequence: nothing runs and no more tokens are made for it.
        var running = await Eventually.WaitForAsync(() => Task.FromResult(meter.Running), r => r == 0, TimeSpan.FromSeconds(10));
        Assert.True(running == 0, "the abandoned sequence is still running");
        var tokens = meter.Tokens;
        await Task.Delay(300);
        Assert.Equal(tokens, meter.Tokens);
        Assert.True(tokens < ContextLength / 2, $"{tokens} tokens were generated: the stream ran on after the client left");

        // Every slot and queue place is free again: as many requests as the server takes at once all complete.
        var results = await Task.WhenAll(Enumerable.Range(0, MaxSequences + Queue).Select(i =>
            Json.PostAsync(server.Client, "/v1/completions", OpenAiHttp.Completion(Model, $"one two {i}", 16))));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(results, r => Assert.Equal(16, r.Body.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));
    }

    [Fact]
    public async Task Completions_BurstOfSlotsPlusQueueOnIdleServer_AllComplete()
    {
        // Nothing runs: the free slots and the queue together take this burst, however fast it arrives.
        var results = await Task.WhenAll(Enumerable.Range(0, MaxSequences + Queue).Select(i =>
            Json.PostAsync(_server!.Client, "/v1/completions", OpenAiHttp.Completion(Model, $"three {i}", 8))));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
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

    /// <summary>Listens to this server's <c>Maas.Generation</c> meter only (other tests' servers have their own meter factories).</summary>
    private sealed class GenerationMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _tokens;
        private int _running;

        public GenerationMeter(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Maas.Generation" && ReferenceEquals(instrument.Meter.Scope, factory)
                    && instrument.Name is "maas.generation.tokens" or "maas.generation.sequences.running")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _tokens, value));
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref _running, value));
            _listener.Start();
        }

        public long Tokens => Interlocked.Read(ref _tokens);

        public int Running => Volatile.Read(ref _running);

        public void Dispose() => _listener.Dispose();
    }
}
