using System.Diagnostics;
using System.Net;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.OpenAi;
using Maas.Formats.Gguf;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.EndToEnd.Tests.Tracing;

/// <summary>A request that arrives with a W3C <c>traceparent</c> is traced under it from the protocol edge through
/// routing and the batch queue to the engine call, over REST v2, OpenAI and gRPC; a batch serving several requests is
/// linked to each of them.</summary>
public sealed class TracingTests(TracingServerFixture fixture) : IClassFixture<TracingServerFixture>
{
    private const string Model = "all-minilm-l6-v2";

    [Fact]
    public async Task V2Infer_Traceparent_SpansChainFromCallerToEngine()
    {
        var caller = Caller.Create();
        using var client = UntracedClient();
        using var request = caller.Post($"/v2/models/{Model}/infer", """{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["traced over REST"]}]}""");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = await ChainAsync(caller);
        Assert.Equal("POST", spans.Server.GetTagItem("http.request.method"));
        Assert.Equal($"/v2/models/{{name}}/infer", spans.Server.GetTagItem("http.route"));
    }

    [Fact]
    public async Task OpenAiEmbeddings_Traceparent_SpansChainFromCallerToEngine()
    {
        var caller = Caller.Create();
        using var client = UntracedClient();
        using var request = caller.Post("/v1/embeddings", $$"""{"model": "{{Model}}", "input": "traced over OpenAI"}""");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = await ChainAsync(caller);
        Assert.Equal("/v1/embeddings", spans.Server.GetTagItem("http.route"));
    }

    [Fact]
    public async Task GrpcModelInfer_TraceparentMetadata_SpansChainFromCallerToEngine()
    {
        var caller = Caller.Create();
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress!, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { ActivityHeadersPropagator = null },
        });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var infer = new ModelInferRequest { ModelName = Model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "text", Datatype = "BYTES", Shape = { 1 }, Contents = new InferTensorContents() };
        input.Contents.BytesContents.Add(ByteString.CopyFromUtf8("traced over gRPC"));
        infer.Inputs.Add(input);

        var response = await client.ModelInferAsync(infer, new Metadata { { "traceparent", caller.Header } });

        Assert.Equal(Model, response.ModelName);
        var spans = await ChainAsync(caller);
        Assert.Equal("/inference.GRPCInferenceService/ModelInfer", spans.Server.GetTagItem("http.route"));
    }

    [Fact]
    public async Task V2Infer_ConcurrentRequestsInOneBatch_BatchLinkedToEveryRequest()
    {
        var callers = Enumerable.Range(0, TracingServerFixture.BatchRows).Select(_ => Caller.Create()).ToArray();
        using var client = UntracedClient();

        var responses = await Task.WhenAll(callers.Select(async (caller, i) =>
        {
            using var request = caller.Post($"/v2/models/{Model}/infer", $$"""{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["batched request {{i}}"]}]}""");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        var all = await fixture.Spans.WaitForAsync(spans => callers.All(c => HasServerSpan(spans, c)));
        var requests = callers.Select(c => Assert.Single(all, a => a.TraceId == c.TraceId && a.OperationName == "maas.request")).ToArray();
        var batches = all.Where(a => a.OperationName == "maas.batch" && requests.Any(r => LinksTo(a, r))).Distinct().ToArray();

        // Each request's own trace reaches the engine call that served it: as its parent, or through the link.
        Assert.All(requests, r => Assert.Contains(batches, b => LinksTo(b, r)));
        Assert.All(batches, b => Assert.Contains(requests, r => b.ParentSpanId == r.SpanId && b.TraceId == r.TraceId));

        // The three queued together (the batch fills at three rows) and ran as one engine call.
        var shared = Assert.Single(batches);
        Assert.Equal(TracingServerFixture.BatchRows, shared.Links.Count());
        Assert.Equal(TracingServerFixture.BatchRows, shared.GetTagItem("maas.batch.requests"));
    }

    [Fact]
    public async Task Completions_Traceparent_QueueAndGenerationUnderTheRequest()
    {
        const string llm = "traced-llm";
        var (path, bytes) = LlamaModels.WriteTiny(new TinyLlamaOptions { Name = llm, ContextLength = 512 });
        TempFolder.Delete(Path.GetDirectoryName(path)!);
        await fixture.Server.PushAsync(llm, [("model.gguf", bytes)]);
        var caller = Caller.Create();
        using var client = UntracedClient();
        using var request = caller.Post("/v1/completions", OpenAiHttp.Completion(llm, "one two three", 6));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = (await Json.ReadAsync(response)).GetProperty("usage");
        await fixture.Spans.WaitForAsync(spans => HasServerSpan(spans, caller));
        var trace = fixture.Spans.InTrace(caller.TraceId);
        var server = Assert.Single(trace, a => a.Kind == ActivityKind.Server);
        Assert.Equal(caller.SpanId, server.ParentSpanId);
        var inference = Assert.Single(trace, a => a.OperationName == "maas.request");
        Assert.Equal(server.SpanId, inference.ParentSpanId);
        Assert.Equal(llm, inference.GetTagItem("maas.model"));
        Assert.Equal(inference.SpanId, Assert.Single(trace, a => a.OperationName == "maas.route").ParentSpanId);
        var queue = Assert.Single(trace, a => a.OperationName == "maas.queue");
        Assert.Equal(inference.SpanId, queue.ParentSpanId);
        var generate = Assert.Single(trace, a => a.OperationName == "maas.generate");
        Assert.Equal(inference.SpanId, generate.ParentSpanId);
        Assert.True(generate.StartTimeUtc >= queue.StartTimeUtc + queue.Duration - TimeSpan.FromMilliseconds(1));
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), generate.GetTagItem("maas.generation.prompt_tokens"));
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), generate.GetTagItem("maas.generation.completion_tokens"));
    }

    /// <summary>Waits for the caller's trace and checks its chain: caller → server span → maas.request → (maas.route,
    /// maas.queue, maas.batch → maas.engine).</summary>
    private async Task<Chain> ChainAsync(Caller caller)
    {
        await fixture.Spans.WaitForAsync(spans => HasServerSpan(spans, caller));
        var trace = fixture.Spans.InTrace(caller.TraceId);

        var server = Assert.Single(trace, a => a.Kind == ActivityKind.Server);
        Assert.Equal("Microsoft.AspNetCore", server.Source.Name);
        Assert.Equal(caller.SpanId, server.ParentSpanId);

        var request = Assert.Single(trace, a => a.OperationName == "maas.request");
        Assert.Equal(server.SpanId, request.ParentSpanId);
        Assert.Equal(Model, request.GetTagItem("maas.model"));
        Assert.Equal(1, request.GetTagItem("maas.model.version"));

        var route = Assert.Single(trace, a => a.OperationName == "maas.route");
        Assert.Equal(request.SpanId, route.ParentSpanId);

        var queue = Assert.Single(trace, a => a.OperationName == "maas.queue");
        Assert.Equal(request.SpanId, queue.ParentSpanId);
        Assert.True(queue.Duration > TimeSpan.Zero);

        var batch = Assert.Single(trace, a => a.OperationName == "maas.batch");
        Assert.Equal(request.SpanId, batch.ParentSpanId);
        Assert.True(LinksTo(batch, request));
        Assert.True(batch.StartTimeUtc >= queue.StartTimeUtc + queue.Duration - TimeSpan.FromMilliseconds(1), "the batch starts when the request leaves the queue");

        var engine = Assert.Single(trace, a => a.OperationName == "maas.engine");
        Assert.Equal(batch.SpanId, engine.ParentSpanId);
        Assert.True(engine.Duration <= batch.Duration);
        Assert.All(trace, a => Assert.Equal(ActivityStatusCode.Unset, a.Status));
        return new Chain(server, request, batch);
    }

    private static bool HasServerSpan(Activity[] spans, Caller caller) =>
        spans.Any(a => a.TraceId == caller.TraceId && a.Kind == ActivityKind.Server);

    private static bool LinksTo(Activity batch, Activity request) =>
        batch.Links.Any(l => l.Context.TraceId == request.TraceId && l.Context.SpanId == request.SpanId);

    /// <summary>A client that sends only the traceparent the test sets (HttpClient would otherwise add its own).</summary>
    private HttpClient UntracedClient() =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = fixture.Server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    private sealed record Chain(Activity Server, Activity Request, Activity Batch);

    /// <summary>The caller's span: a fresh trace id, so the test finds its spans among those of other tests.</summary>
    private sealed record Caller(ActivityTraceId TraceId, ActivitySpanId SpanId)
    {
        public string Header => $"00-{TraceId.ToHexString()}-{SpanId.ToHexString()}-01";

        public static Caller Create() => new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());

        public HttpRequestMessage Post(string path, string json)
        {
            var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            message.Headers.Add("traceparent", Header);
            return message;
        }
    }
}
