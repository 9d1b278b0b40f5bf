using System.Net;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Each role × each endpoint family, on a model its key covers (allowed, or 403 when the role lacks the
/// action) and on one it does not (404 with the very body a missing model gets), over REST and gRPC.</summary>
public sealed class RoleMatrixTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    private const string Missing = "no-such-model";

    /// <summary>Family → (method, path or body template with {m}, roles that may do it). The allowed roles are written
    /// out here from the role table, independently of the server's own table.</summary>
    public static TheoryData<string> Families => [.. Requests.Keys];

    private static readonly Dictionary<string, (HttpMethod Method, string Path, string? Body, string[] Roles)> Requests = new()
    {
        ["v2 metadata"] = (HttpMethod.Get, "/v2/models/{m}", null, ["admin", "publisher", "inference", "viewer"]),
        ["v2 version metadata"] = (HttpMethod.Get, "/v2/models/{m}/versions/1", null, ["admin", "publisher", "inference", "viewer"]),
        ["v2 ready"] = (HttpMethod.Get, "/v2/models/{m}/ready", null, ["admin", "publisher", "inference", "viewer"]),
        ["v2 stats"] = (HttpMethod.Get, "/v2/models/{m}/stats", null, ["admin", "publisher", "inference", "viewer"]),
        ["v2 infer"] = (HttpMethod.Post, "/v2/models/{m}/infer", """{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", ["admin", "publisher", "inference"]),
        ["v2 repository load"] = (HttpMethod.Post, "/v2/repository/models/{m}/load", null, ["admin", "publisher"]),
        ["v1 model"] = (HttpMethod.Get, "/v1/models/{m}", null, ["admin", "publisher", "inference", "viewer"]),
        ["v1 embeddings"] = (HttpMethod.Post, "/v1/embeddings", """{"model":"{m}","input":"hi"}""", ["admin", "publisher", "inference"]),
        ["predict"] = (HttpMethod.Post, "/models/{m}/predict", """{"input":[[1,2,3]]}""", ["admin", "publisher", "inference"]),
        ["api model"] = (HttpMethod.Get, "/api/models/{m}", null, ["admin", "publisher", "viewer"]),
        ["api lineage"] = (HttpMethod.Get, "/api/models/{m}/lineage", null, ["admin", "publisher", "viewer"]),
        ["api deployment"] = (HttpMethod.Get, "/api/models/{m}/deployment", null, ["admin", "publisher", "viewer"]),
        ["api deploy"] = (HttpMethod.Put, "/api/models/{m}/deployment", """{"max_queue": 64}""", ["admin", "publisher"]),
        ["api alias"] = (HttpMethod.Put, "/api/models/{m}/aliases/staging", """{"version": 1}""", ["admin", "publisher"]),
        ["api update"] = (HttpMethod.Patch, "/api/models/{m}", """{"description": "x"}""", ["admin", "publisher"]),
        ["api download"] = (HttpMethod.Get, "/api/models/{m}/versions/1/files/model.onnx", null, ["admin", "publisher"]),
        ["api delete version"] = (HttpMethod.Delete, "/api/models/{m}/versions/99", null, ["admin"]),
        ["api quantize job"] = (HttpMethod.Post, "/api/jobs", """{"kind":"quantize","parameters":{"model":"{m}","method":"no-such-method"}}""", ["admin", "publisher"]),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Family_EachRole_AllowedDeniedOrInvisible(string family)
    {
        var (method, path, body, roles) = Requests[family];
        using var admin = fixture.Client(fixture.AdminKey);
        var (_, missingBody) = await SendAsync(admin, method, path, body, Missing);

        foreach (var (role, key) in fixture.Keys)
        {
            using var client = fixture.Client(key);
            var (statusA, bodyA) = await SendAsync(client, method, path, body, AuthServerFixture.ModelA);
            if (roles.Contains(role))
            {
                Assert.True(statusA is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && !IsModelNotFound(bodyA),
                    $"{family} as {role} on {AuthServerFixture.ModelA}: {(int)statusA} {bodyA}");
            }
            else
            {
                Assert.True(statusA == HttpStatusCode.Forbidden, $"{family} as {role} on {AuthServerFixture.ModelA}: {(int)statusA} {bodyA}");
            }

            var (statusB, bodyB) = await SendAsync(client, method, path, body, AuthServerFixture.ModelB);
            if (role == "admin")
            {
                Assert.True(statusB is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && !IsModelNotFound(bodyB),
                    $"{family} as admin on {AuthServerFixture.ModelB}: {(int)statusB} {bodyB}");
            }
            else
            {
                // Invisible: exactly what a missing model answers (its name in place of the missing one's).
                Assert.True(statusB == HttpStatusCode.NotFound, $"{family} as {role} on {AuthServerFixture.ModelB}: {(int)statusB} {bodyB}");
                Assert.Equal(missingBody.Replace(Missing, "{m}", StringComparison.Ordinal), bodyB.Replace(AuthServerFixture.ModelB, "{m}", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task Grpc_EachRole_AllowedDeniedOrInvisible()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress!);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var missing = await Assert.ThrowsAsync<RpcException>(() => client.ModelMetadataAsync(
            new ModelMetadataRequest { Name = Missing }, Headers(fixture.AdminKey)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        foreach (var (role, key) in fixture.Keys)
        {
            var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = AuthServerFixture.ModelA }, Headers(key));
            Assert.Equal(AuthServerFixture.ModelA, metadata.Name);

            var infer = client.ModelInferAsync(InferRequest(AuthServerFixture.ModelA), Headers(key)).ResponseAsync;
            if (role is "admin" or "publisher" or "inference")
            {
                Assert.Equal(new[] { 2f, 3f, 4f }, Floats(await infer));
            }
            else
            {
                Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => infer)).StatusCode);
            }

            if (role == "admin")
            {
                Assert.Equal(new[] { 3f, 4f, 5f }, Floats(await client.ModelInferAsync(InferRequest(AuthServerFixture.ModelB), Headers(key))));
                continue;
            }

            foreach (var call in new Func<Task>[]
            {
                () => client.ModelInferAsync(InferRequest(AuthServerFixture.ModelB), Headers(key)).ResponseAsync,
                () => client.ModelMetadataAsync(new ModelMetadataRequest { Name = AuthServerFixture.ModelB }, Headers(key)).ResponseAsync,
                () => client.ModelReadyAsync(new ModelReadyRequest { Name = AuthServerFixture.ModelB }, Headers(key)).ResponseAsync,
            })
            {
                var hidden = await Assert.ThrowsAsync<RpcException>(call);
                Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
                Assert.Equal(missing.Status.Detail.Replace(Missing, "{m}", StringComparison.Ordinal), hidden.Status.Detail.Replace(AuthServerFixture.ModelB, "{m}", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task Grpc_NoOrBadCredentials_UnauthenticatedButHealthOpen()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress!);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var none = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(InferRequest(AuthServerFixture.ModelA)).ResponseAsync);
        var bad = await Assert.ThrowsAsync<RpcException>(() => client.ServerMetadataAsync(new ServerMetadataRequest(), Headers("maas_0123456789abcdef_notthesecretnotthesecret")).ResponseAsync);
        var viaApiKeyHeader = await client.ServerMetadataAsync(new ServerMetadataRequest(), new Metadata { { "x-api-key", fixture.Keys["viewer"] } });
        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, bad.StatusCode);
        Assert.Equal("maas", viaApiKeyHeader.Name);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    private static Metadata Headers(string key) => new() { { "authorization", "Bearer " + key } };

    private static ModelInferRequest InferRequest(string model)
    {
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32" };
        input.Shape.AddRange([1, 3]);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange([1f, 2f, 3f]);
        request.Inputs.Add(input);
        return request;
    }

    private static float[] Floats(ModelInferResponse response) =>
        response.Outputs[0].Contents?.Fp32Contents.Count > 0
            ? [.. response.Outputs[0].Contents.Fp32Contents]
            : [.. Enumerable.Range(0, response.RawOutputContents[0].Length / 4).Select(i => BitConverter.ToSingle(response.RawOutputContents[0].Span.Slice(i * 4, 4)))];

    private static bool IsModelNotFound(string body) => body.Contains("not found", StringComparison.OrdinalIgnoreCase) && body.Contains("model", StringComparison.OrdinalIgnoreCase)
        && !body.Contains("has no", StringComparison.Ordinal);

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body, string model)
    {
        using var request = new HttpRequestMessage(method, path.Replace("{m}", model, StringComparison.Ordinal));
        if (body is not null)
        {
            request.Content = new StringContent(body.Replace("{m}", model, StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = response.Content.Headers.ContentType?.MediaType == "application/octet-stream" ? "<file>" : await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text);
    }
}
