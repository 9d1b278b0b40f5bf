using System.Net;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Protocols;

/// <summary>Every JSON answer, success or error in each protocol's shape, carries a Content-Length.</summary>
[Collection(SampleServerCollection.Name)]
public sealed class ResponseFramingTests(SampleServerFixture fixture)
{
    private const string Model = "all-minilm-l6-v2";

    [Theory]
    [InlineData("GET", "/v2", null, HttpStatusCode.OK)]
    [InlineData("GET", "/v2/health/live", null, HttpStatusCode.OK)]
    [InlineData("GET", "/v2/health/ready", null, HttpStatusCode.OK)]
    [InlineData("GET", "/v2/models/" + Model, null, HttpStatusCode.OK)]
    [InlineData("GET", "/v2/models/" + Model + "/ready", null, HttpStatusCode.OK)]
    [InlineData("GET", "/v2/models/stats", null, HttpStatusCode.OK)]
    [InlineData("GET", "/v2/models/" + Model + "/stats", null, HttpStatusCode.OK)]
    [InlineData("POST", "/v2/repository/index", null, HttpStatusCode.OK)]
    [InlineData("POST", "/v2/models/" + Model + "/infer", """{"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]}]}""", HttpStatusCode.OK)]
    [InlineData("POST", "/models/" + Model + "/predict", """{"input": ["one sentence", "another"]}""", HttpStatusCode.OK)]
    [InlineData("POST", "/v1/embeddings", """{"model": "all-minilm-l6-v2", "input": ["one sentence", "another"]}""", HttpStatusCode.OK)]
    [InlineData("GET", "/v1/models", null, HttpStatusCode.OK)]
    [InlineData("GET", "/v1/models/" + Model, null, HttpStatusCode.OK)]
    [InlineData("GET", "/api/models", null, HttpStatusCode.OK)]
    [InlineData("GET", "/api/models/" + Model, null, HttpStatusCode.OK)]
    [InlineData("GET", "/api/deployments", null, HttpStatusCode.OK)]
    [InlineData("GET", "/v2/models/nope", null, HttpStatusCode.NotFound)]
    [InlineData("POST", "/v2/models/" + Model + "/infer", """{"inputs": 3}""", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/v1/models/nope", null, HttpStatusCode.NotFound)]
    [InlineData("POST", "/v1/embeddings", """{"model": "nope", "input": "x"}""", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/models/nope", null, HttpStatusCode.NotFound)]
    [InlineData("POST", "/models/" + Model + "/predict", """{"wrong": 1}""", HttpStatusCode.BadRequest)]
    public async Task JsonAnswer_HasContentLength_NotChunked(string method, string path, string? body, HttpStatusCode expected)
    {
        var status = await ResponseFraming.AssertLengthFramedJsonAsync(fixture.Server.Client, method, path, body);

        Assert.Equal(expected, status);
    }
}
