using System.Net;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Protocols;

/// <summary>Bad requests to the embeddings model: each is a clear 4xx in the protocol's error shape, and the server keeps serving.</summary>
[Collection(SampleServerCollection.Name)]
public sealed class V2BadInputTests(SampleServerFixture fixture)
{
    private const string Infer = "/v2/models/all-minilm-l6-v2/infer";

    [Theory]
    [InlineData("{\"inputs\": [", "Malformed JSON")]
    [InlineData("not json at all", "Malformed JSON")]
    [InlineData("[1, 2]", "JSON object")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"a\"]}], \"colour\": 1}", "Unknown field 'colour'")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"a\"], \"dtype\": 1}]}", "Unknown field 'dtype'")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1.5]}]}", "must be BYTES")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"STRING\", \"data\": [\"a\"]}]}", "datatype 'STRING'")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [3], \"datatype\": \"BYTES\", \"data\": [\"a\", \"b\"]}]}", "needs 3 elements")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [0], \"datatype\": \"BYTES\", \"data\": []}]}", "empty")]
    [InlineData("{\"inputs\": []}", "no inputs")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [42]}]}", "must hold strings")]
    [InlineData("{\"inputs\": [{\"name\": \"words\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"a\"]}]}", "'text'")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [-1], \"datatype\": \"BYTES\", \"data\": [\"a\"]}]}", "non-negative")]
    [InlineData("{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"a\"]}], \"outputs\": [{\"name\": \"logits\"}]}", "one output")]
    public async Task Infer_BadBody_Returns400WithMessage(string body, string expected)
    {
        var (status, error) = await Json.PostAsync(fixture.Server.Client, Infer, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        await fixture.Server.AssertLiveAsync();
    }

    [Theory]
    [InlineData("/v2/models/no-such-model/infer", "not found")]
    [InlineData("/v2/models/all-minilm-l6-v2/versions/9/infer", "9")]
    [InlineData("/v2/models/all-minilm-l6-v2@staging/infer", "staging")]
    public async Task Infer_UnknownModelVersionOrAlias_Returns404(string path, string expected)
    {
        var (status, error) = await Json.PostAsync(fixture.Server.Client, path,
            """{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}""");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains(expected, error.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/v2/models/bad name!/infer")]
    [InlineData("/v2/models/all-minilm-l6-v2/versions/zero/infer")]
    public async Task Infer_InvalidReference_Returns400(string path)
    {
        var (status, error) = await Json.PostAsync(fixture.Server.Client, path, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("{\"input\": 42}", "string or a list of strings")]
    [InlineData("{\"text\": \"a\"}", "Unknown field 'text'")]
    [InlineData("{}", "no 'input'")]
    [InlineData("{\"input\": []}", "empty")]
    public async Task Predict_BadBody_Returns400(string body, string expected)
    {
        var (status, error) = await Json.PostAsync(fixture.Server.Client, "/models/all-minilm-l6-v2/predict", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
