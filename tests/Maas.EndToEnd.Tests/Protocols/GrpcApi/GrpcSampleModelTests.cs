using System.Buffers.Binary;
using System.Net;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.EndToEnd.Tests.Protocols.GrpcApi;

/// <summary>All six RPCs of <c>inference.GRPCInferenceService</c>, health and reflection, through a client generated
/// from the project's own .proto, against the real server with the sample embeddings model.</summary>
[Collection(SampleServerCollection.Name)]
public sealed class GrpcSampleModelTests(SampleServerFixture fixture) : IDisposable
{
    private const string Model = "all-minilm-l6-v2";

    private static readonly string[] Sentences = ["Maas serves models over gRPC.", "The cat sat on the mat.", "A quick brown fox"];

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress!);

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(_channel);

    [Fact]
    public async Task ServerRpcs_RunningServer_AnswerLiveReadyAndMetadata()
    {
        var live = await Client.ServerLiveAsync(new ServerLiveRequest());
        var ready = await Client.ServerReadyAsync(new ServerReadyRequest());
        var metadata = await Client.ServerMetadataAsync(new ServerMetadataRequest());

        Assert.True(live.Live);
        Assert.True(ready.Ready);
        Assert.Equal("maas", metadata.Name);
        Assert.False(string.IsNullOrEmpty(metadata.Version));
    }

    [Fact]
    public async Task ModelRpcs_SampleModel_ReadyAndDescribedAsRest()
    {
        var ready = await Client.ModelReadyAsync(new ModelReadyRequest { Name = Model });
        var versioned = await Client.ModelReadyAsync(new ModelReadyRequest { Name = Model, Version = "1" });
        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = Model });

        Assert.True(ready.Ready);
        Assert.True(versioned.Ready);
        Assert.Equal(Model, metadata.Name);
        Assert.Contains("1", metadata.Versions);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("text", "BYTES"), (input.Name, input.Datatype));
        Assert.Equal([-1L], input.Shape);
        var output = Assert.Single(metadata.Outputs);
        Assert.Equal(("embedding", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([-1L, 384L], output.Shape);
    }

    [Fact]
    public async Task ModelInfer_TypedContents_SameEmbeddingsAsRest()
    {
        var request = new ModelInferRequest { ModelName = Model, Id = "grpc-typed" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "text", Datatype = "BYTES", Shape = { Sentences.Length }, Contents = new InferTensorContents() };
        input.Contents.BytesContents.AddRange(Sentences.Select(ByteString.CopyFromUtf8));
        request.Inputs.Add(input);

        var response = await Client.ModelInferAsync(request);

        Assert.Equal(("grpc-typed", Model, "1"), (response.Id, response.ModelName, response.ModelVersion));
        Assert.Empty(response.RawOutputContents);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("embedding", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([Sentences.Length, 384L], output.Shape);
        AssertCloseToRest(output.Contents.Fp32Contents.ToArray(), await RestEmbeddingsAsync());
    }

    [Fact]
    public async Task ModelInfer_RawContents_SameEmbeddingsAsRest()
    {
        var request = new ModelInferRequest { ModelName = Model, ModelVersion = "1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "text", Datatype = "BYTES", Shape = { Sentences.Length } });
        request.RawInputContents.Add(RawStrings(Sentences));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "embedding" });

        var response = await Client.ModelInferAsync(request);

        var output = Assert.Single(response.Outputs);
        Assert.Null(output.Contents);
        var raw = Assert.Single(response.RawOutputContents);
        Assert.Equal(Sentences.Length * 384 * 4, raw.Length);
        var values = new float[Sentences.Length * 384];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Span[(i * 4)..]);
        }

        AssertCloseToRest(values, await RestEmbeddingsAsync());
    }

    [Fact]
    public async Task ModelInfer_UnknownModel_NotFound()
    {
        var request = new ModelInferRequest { ModelName = "no-such-model" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "text", Datatype = "BYTES", Shape = { 1 } });
        request.RawInputContents.Add(RawStrings(["x"]));

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("no-such-model", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FLOAT", 4)]
    [InlineData("BYTES", 3)]
    [InlineData("BYTES", -1)]
    public async Task ModelInfer_BadInput_InvalidArgument(string datatype, int rawLength)
    {
        var request = new ModelInferRequest { ModelName = Model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "text", Datatype = datatype, Shape = { 1 } });
        if (rawLength >= 0)
        {
            // A length prefix that promises more bytes than follow, or a datatype the protocol does not have.
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[] { 9, 0, 0, 0, 1, 2, 3 }.AsSpan(0, rawLength)));
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail));
    }

    [Fact]
    public async Task ModelMetadata_UnknownModel_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "no-such-model" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_Success_CountedWithProtocolGrpc()
    {
        var request = new ModelInferRequest { ModelName = Model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "text", Datatype = "BYTES", Shape = { 1 } });
        request.RawInputContents.Add(RawStrings(["counted"]));

        await Client.ModelInferAsync(request);

        var metrics = await fixture.Server.Client.GetStringAsync("/metrics");
        Assert.Contains($$"""maas_server_requests_total{maas_model="{{Model}}",maas_version="1",outcome="ok",protocol="grpc"}""", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_StartedServer_ServingOverallAndForInferenceService()
    {
        var health = new Health.HealthClient(_channel);

        var overall = await health.CheckAsync(new HealthCheckRequest());
        var inference = await health.CheckAsync(new HealthCheckRequest { Service = "inference.GRPCInferenceService" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, inference.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesInferenceAndHealth()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("inference.GRPCInferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task RestPort_GrpcCall_NotServedThere()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.BaseAddress);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        await Assert.ThrowsAsync<RpcException>(() => client.ServerLiveAsync(new ServerLiveRequest()).ResponseAsync);
    }

    internal static ByteString RawStrings(IEnumerable<string> values)
    {
        using var stream = new MemoryStream();
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            stream.Write(length);
            stream.Write(bytes);
        }

        return ByteString.CopyFrom(stream.ToArray());
    }

    private async Task<float[]> RestEmbeddingsAsync()
    {
        var request = $$"""
            {"inputs": [{"name": "text", "shape": [{{Sentences.Length}}], "datatype": "BYTES", "data": [{{string.Join(",", Sentences.Select(Json.Quote))}}]}]}
            """;
        var (status, body) = await Json.PostAsync(fixture.Server.Client, $"/v2/models/{Model}/infer", request);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    }

    private static void AssertCloseToRest(float[] grpc, float[] rest)
    {
        Assert.Equal(rest.Length, grpc.Length);
        for (var i = 0; i < Sentences.Length; i++)
        {
            var cosine = Cosine(grpc.AsSpan(i * 384, 384), rest.AsSpan(i * 384, 384));
            Assert.True(cosine >= 0.9999, $"sentence {i}: cosine {cosine}");
        }
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    public void Dispose() => _channel.Dispose();
}
