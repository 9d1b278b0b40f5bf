using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Samples;

namespace Maas.EndToEnd.Tests.Batching;

/// <summary>Dynamic batching on the real all-MiniLM-L6-v2: texts of different lengths from concurrent clients, merged
/// and padded into shared engine calls, embed exactly as the same texts sent one request at a time.</summary>
public sealed class BatchingEquivalenceTests : IAsyncLifetime
{
    // A name of its own, so the batch-size measurements below are this test's alone.
    private const string Model = "minilm-batching";
    private const int Clients = 16;

    private static readonly string[] Texts =
    [
        "Short one.",
        "The quick brown fox jumps over the lazy dog.",
        "Maas serves models over HTTP, one batch at a time.",
        "A considerably longer sentence that makes every other text in its batch be padded to its own length, with the attention mask set.",
        "Numbers 12345, punctuation?! and (brackets) [too].",
        "Ünïcödé tëxt",
        "Why?",
        "Serving latency matters as much as throughput when many clients share one model.",
    ];

    private readonly ConcurrentBag<int> _batchRows = [];
    private MeterListener? _listener;
    private MaasTestServer? _server;

    public async Task InitializeAsync()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Maas.Serving" && instrument.Name == "maas.inference.batch.size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<int>((_, rows, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "maas.model", Value: Model })
                {
                    _batchRows.Add(rows);
                }
            }
        });
        _listener.Start();

        // A short queue delay lets the concurrent requests find each other even on a busy test machine.
        _server = await MaasTestServer.StartAsync(settings: ["Maas:Serving:Defaults:MaxBatchSize=8", "Maas:Serving:Defaults:MaxQueueDelay=00:00:00.020"]);
        var files = new List<(string Name, byte[] Content)>();
        foreach (var (name, content) in SampleModels.OpenMiniLm())
        {
            using (content)
            using (var buffer = new MemoryStream())
            {
                await content.CopyToAsync(buffer);
                files.Add((name, buffer.ToArray()));
            }
        }

        await _server.PushAsync(Model, files);
    }

    [Fact]
    public async Task V2Infer_ConcurrentClientsMerged_SameVectorsAsEachRequestAlone()
    {
        var server = _server!;
        string[] RequestTexts(int client, int k) =>
            (client + k) % 3 == 0 ? [Texts[(client + k) % Texts.Length], Texts[(client * 3 + k + 1) % Texts.Length]] : [Texts[(client + k) % Texts.Length]];

        var alone = new Dictionary<string, float[]>();
        foreach (var text in Texts)
        {
            alone[text] = (await EmbedAsync(server.Client, [text]))[0];
        }

        _batchRows.Clear();
        var batched = await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var results = new List<(string Text, float[] Vector)>();
            for (var k = 0; k < 4; k++)
            {
                var texts = RequestTexts(client, k);
                var vectors = await EmbedAsync(server.Client, texts);
                results.AddRange(texts.Zip(vectors));
            }

            return results;
        })));

        foreach (var (text, vector) in batched.SelectMany(r => r))
        {
            var cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(alone[text], vector);
            Assert.True(cosine >= 0.99999f, $"'{text}': cosine {cosine} between batched and alone");
        }

        // A request holds at most 2 texts: a call with more rows merged several requests.
        Assert.True(_batchRows.Any(rows => rows > 2), $"no engine call merged requests; rows per call: {string.Join(",", _batchRows)}");
    }

    private static async Task<float[][]> EmbedAsync(HttpClient client, string[] texts)
    {
        var request = $$"""
            {"inputs": [{"name": "text", "shape": [{{texts.Length}}], "datatype": "BYTES", "data": [{{string.Join(",", texts.Select(Json.Quote))}}]}]}
            """;
        var (status, body) = await Json.PostAsync(client, $"/v2/models/{Model}/infer", request);
        Assert.Equal(HttpStatusCode.OK, status);
        var data = body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return Enumerable.Range(0, texts.Length).Select(i => data.AsSpan(i * 384, 384).ToArray()).ToArray();
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
