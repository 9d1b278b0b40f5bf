using System.Globalization;
using System.Net;
using System.Text;
using Maas.Cli;
using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

/// <summary>A whole bench against a fake server: counts, error tallies and the server-side split.</summary>
public sealed class BenchRunnerTests
{
    [Fact]
    public async Task RunAsync_ClosedLoopWithRequestCount_SendsExactlyThatManyAndTalliesErrors()
    {
        var server = new FakeServer(failEvery: 5);
        using var client = new BenchClient(new Uri("http://maas.test"), new HttpClient(server), ownsHttp: true);
        var observer = new RecordingObserver();
        var settings = Settings([new BenchLevel(2, null)], requests: 20);

        var report = await new BenchRunner(client, settings, TimeProvider.System).RunAsync(observer);

        var level = Assert.Single(report.Levels);
        Assert.Equal(20, level.Requests);
        Assert.Equal(20, server.Infers);
        Assert.Equal(4, level.Failed);
        Assert.Equal(16, level.Succeeded);
        Assert.Equal(16, level.Rows);
        var error = Assert.Single(level.Errors);
        Assert.Equal(("HTTP 429", 4, "queue full"), (error.Kind, error.Count, error.Sample));
        Assert.InRange(error.LatencyMs.P50, 0, error.LatencyMs.Max);
        Assert.NotNull(level.LatencyMs);
        Assert.True(level.Throughput > 0);
        Assert.Equal("m-resolved", report.Model);
        Assert.Equal(["concurrency 2"], observer.Finished);
    }

    [Fact]
    public async Task RunAsync_ServerMetrics_SplitComesFromScrapeDifference()
    {
        var server = new FakeServer(failEvery: 0);
        using var client = new BenchClient(new Uri("http://maas.test"), new HttpClient(server), ownsHttp: true);

        var report = await new BenchRunner(client, Settings([new BenchLevel(1, null)], requests: 3), TimeProvider.System).RunAsync(new RecordingObserver());

        // Each scrape adds 2 queued requests waiting 0.004 s in all, 1 engine call of 0.01 s carrying 2 rows.
        var split = Assert.IsType<ServerSplit>(report.Levels[0].Server);
        Assert.Equal(2, split.QueueMs!.Value, 6);
        Assert.Equal(10, split.ComputeMs!.Value, 6);
        Assert.Equal(2, split.BatchSize!.Value, 6);
    }

    [Fact]
    public async Task RunAsync_OpenLoopWithRequestCount_SendsThatManyAtTheRate()
    {
        var server = new FakeServer(failEvery: 0);
        using var client = new BenchClient(new Uri("http://maas.test"), new HttpClient(server), ownsHttp: true);

        var report = await new BenchRunner(client, Settings([new BenchLevel(null, 2000)], requests: 30), TimeProvider.System).RunAsync(new RecordingObserver());

        var level = Assert.Single(report.Levels);
        Assert.Equal(30, level.Requests);
        Assert.Equal(30, level.Succeeded);
        Assert.Equal(2000, level.Rate);
        Assert.True(level.SendRate > 0);
    }

    [Fact]
    public async Task RunAsync_WarmupAllFailing_StopsWithTheFirstError()
    {
        var server = new FakeServer(failEvery: 1);
        using var client = new BenchClient(new Uri("http://maas.test"), new HttpClient(server), ownsHttp: true);
        var settings = Settings([new BenchLevel(1, null)], requests: 1) with { Warmup = TimeSpan.FromMilliseconds(50) };

        var error = await Assert.ThrowsAsync<CliException>(() => new BenchRunner(client, settings, TimeProvider.System).RunAsync(new RecordingObserver()));

        Assert.Contains("HTTP 429: queue full", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RestBinary_SendsBinaryExtensionBodies()
    {
        var server = new FakeServer(failEvery: 0);
        using var client = new BenchClient(new Uri("http://maas.test"), new HttpClient(server), ownsHttp: true);
        var settings = Settings([new BenchLevel(1, null)], requests: 2) with { Protocol = BenchSettings.RestBinary };

        var report = await new BenchRunner(client, settings, TimeProvider.System).RunAsync(new RecordingObserver());

        Assert.Equal(2, report.Levels[0].Succeeded);
        Assert.Equal(2, server.Binary.Count);
        foreach (var (headerLength, body, contentType) in server.Binary)
        {
            Assert.Equal("application/octet-stream", contentType);
            using var header = System.Text.Json.JsonDocument.Parse(body.AsMemory(0, headerLength));
            var input = header.RootElement.GetProperty("inputs")[0];
            Assert.False(input.TryGetProperty("data", out _));
            var size = input.GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
            Assert.Equal(body.Length - headerLength, size);
            Assert.True(header.RootElement.GetProperty("parameters").GetProperty("binary_data_output").GetBoolean());

            // One generated sentence in raw BYTES form: a 4-byte little-endian length, then that many UTF-8 bytes.
            Assert.Equal(size - 4, BitConverter.ToInt32(body, headerLength));
        }
    }

    private static BenchSettings Settings(IReadOnlyList<BenchLevel> levels, int requests) => new()
    {
        Model = "m",
        Server = new Uri("http://maas.test"),
        Levels = levels,
        Requests = requests,
        Warmup = TimeSpan.Zero,
    };

    private sealed class RecordingObserver : IBenchObserver
    {
        public List<string> Finished { get; } = [];

        public void Started(string label, LevelRecorder recorder, TimeSpan? duration, int? requests)
        {
        }

        void IBenchObserver.Finished(string label, LevelResult? result)
        {
            lock (Finished)
            {
                Finished.Add(label);
            }
        }
    }

    /// <summary>Answers metadata, scrapes whose counters grow by a fixed step, and infers (every Nth a 429).</summary>
    private sealed class FakeServer(int failEvery) : HttpMessageHandler
    {
        private int _infers;
        private int _scrapes;

        public System.Collections.Concurrent.ConcurrentBag<(int HeaderLength, byte[] Body, string? ContentType)> Binary { get; } = [];

        public int Infers => Volatile.Read(ref _infers);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Get && path == "/v2/models/m")
            {
                return Reply(HttpStatusCode.OK, """{"name": "m-resolved", "inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1]}]}""");
            }

            if (request.Method == HttpMethod.Get && path == "/metrics")
            {
                var n = Interlocked.Increment(ref _scrapes);
                return Reply(HttpStatusCode.OK, string.Create(CultureInfo.InvariantCulture, $$"""
                    maas_inference_queue_duration_seconds_sum{maas_model="m-resolved",maas_version="1"} {{0.004 * n}}
                    maas_inference_queue_duration_seconds_count{maas_model="m-resolved",maas_version="1"} {{2 * n}}
                    maas_inference_compute_duration_seconds_sum{maas_model="m-resolved",maas_version="1"} {{0.01 * n}}
                    maas_inference_compute_duration_seconds_count{maas_model="m-resolved",maas_version="1"} {{n}}
                    maas_inference_batch_size_sum{maas_model="m-resolved",maas_version="1"} {{2 * n}}
                    maas_inference_batch_size_count{maas_model="m-resolved",maas_version="1"} {{n}}
                    """));
            }

            if (request.Method == HttpMethod.Post && path == "/v2/models/m/infer")
            {
                if (request.Content!.Headers.TryGetValues(BenchClient.InferenceHeaderContentLength, out var lengths))
                {
                    var body = request.Content.ReadAsByteArrayAsync(cancellationToken).GetAwaiter().GetResult();
                    Binary.Add((int.Parse(lengths.Single(), CultureInfo.InvariantCulture), body, request.Content.Headers.ContentType?.MediaType));
                }

                var i = Interlocked.Increment(ref _infers);
                return failEvery > 0 && i % failEvery == 0
                    ? Reply(HttpStatusCode.TooManyRequests, """{"error": "queue full"}""")
                    : Reply(HttpStatusCode.OK, """{"model_name": "m-resolved", "outputs": []}""");
            }

            return Reply(HttpStatusCode.NotFound, """{"error": "no route"}""");
        }

        private static Task<HttpResponseMessage> Reply(HttpStatusCode status, string json) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
    }
}
