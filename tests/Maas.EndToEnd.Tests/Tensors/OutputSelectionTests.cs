using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>The request's <c>outputs</c> list picks what comes back; the request id is echoed.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class OutputSelectionTests(TensorServerFixture fixture)
{
    private const string Input = """{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}""";

    [Fact]
    public async Task Infer_NoOutputsRequested_ReturnsEveryOutput()
    {
        var model = await fixture.PushAsync("two-outputs", TensorModels.TwoOutputs());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", $$"""{"inputs": [{{Input}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var outputs = body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!, Data);
        Assert.Equal([1f, 2f, 3f], outputs["same"]);
        Assert.Equal([2f, 3f, 4f], outputs["plus_one"]);
        Assert.Equal(2, outputs.Count);
    }

    [Theory]
    [InlineData("same", new[] { 1f, 2f, 3f })]
    [InlineData("plus_one", new[] { 2f, 3f, 4f })]
    public async Task Infer_OneOutputRequested_ReturnsOnlyThatOutput(string requested, float[] expected)
    {
        var model = await fixture.PushAsync("two-outputs", TensorModels.TwoOutputs());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer",
            $$"""{"inputs": [{{Input}}], "outputs": [{"name": "{{requested}}"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal(requested, output.GetProperty("name").GetString());
        Assert.Equal(expected, Data(output));
    }

    [Fact]
    public async Task Infer_UnknownOutputRequested_Returns400NamingTheOutputs()
    {
        var model = await fixture.PushAsync("two-outputs", TensorModels.TwoOutputs());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer",
            $$"""{"inputs": [{{Input}}], "outputs": [{"name": "plus_two"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error").GetString();
        Assert.Contains("plus_two", error, StringComparison.Ordinal);
        Assert.Contains("plus_one", error, StringComparison.Ordinal);
        await fixture.Server.AssertLiveAsync();
    }

    [Fact]
    public async Task Infer_RequestWithId_EchoesId()
    {
        var model = await fixture.PushAsync("two-outputs", TensorModels.TwoOutputs());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer",
            $$"""{"id": "req-\u00e9-42", "inputs": [{{Input}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("req-\u00e9-42", body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Infer_RequestWithoutId_HasNoIdField()
    {
        var model = await fixture.PushAsync("two-outputs", TensorModels.TwoOutputs());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", $$"""{"inputs": [{{Input}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.TryGetProperty("id", out _));
        Assert.Equal(model, body.GetProperty("model_name").GetString());
    }

    private static float[] Data(JsonElement output) =>
        output.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
}
