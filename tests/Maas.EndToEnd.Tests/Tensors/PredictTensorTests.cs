using System.Net;
using System.Text.Json;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>The plain predict API on tensor models: nested arrays in, nested arrays out, shape taken from the nesting.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class PredictTensorTests(TensorServerFixture fixture)
{
    [Fact]
    public async Task Predict_SingleInputModel_ReturnsNestedOutput()
    {
        var model = await fixture.PushAsync("predict-add", TensorModels.AddBias());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{model}/predict", """{"input": [[1, 2, 3], [-1, -2, -3]]}""");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        Assert.Equal(model, body.GetProperty("model").GetString());
        Assert.Equal("1", body.GetProperty("version").GetString());
        Assert.Equal([[11f, 22f, 33f], [9f, 18f, 27f]], Nested(body.GetProperty("output")));
    }

    [Fact]
    public async Task Predict_MultiInputModel_TakesObjectOfInputs()
    {
        var model = await fixture.PushAsync("predict-sum", TensorModels.AddTwoInputs(TensorDataType.Int32));

        var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{model}/predict",
            """{"input": {"a": [[1, 2, 3]], "b": [[-10, 20, 2147483644]]}}""");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        var output = body.GetProperty("output");
        Assert.Equal(JsonValueKind.Array, output.ValueKind);
        Assert.Equal([[-9L, 22L, 2147483647L]], output.EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray());
    }

    [Fact]
    public async Task Predict_MultiInputModelGivenBareArray_Returns400AskingForObject()
    {
        var model = await fixture.PushAsync("predict-sum", TensorModels.AddTwoInputs(TensorDataType.Fp32));

        var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{model}/predict", """{"input": [[1, 2, 3]]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("object", body.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Predict_MultiOutputModel_ReturnsObjectOfOutputs()
    {
        var model = await fixture.PushAsync("predict-two", TensorModels.TwoOutputs());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{model}/predict", """{"input": [[0.5, 1.5, -3]]}""");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        var output = body.GetProperty("output");
        Assert.Equal(JsonValueKind.Object, output.ValueKind);
        Assert.Equal(["plus_one", "same"], output.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal([[0.5f, 1.5f, -3f]], Nested(output.GetProperty("same")));
        Assert.Equal([[1.5f, 2.5f, -2f]], Nested(output.GetProperty("plus_one")));
    }

    [Fact]
    public async Task Predict_WrongInnerDimension_Returns400WithExpectedShape()
    {
        var model = await fixture.PushAsync("predict-add", TensorModels.AddBias());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{model}/predict", """{"input": [[1, 2, 3, 4]]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("[-1, 3]", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        await fixture.Server.AssertLiveAsync();
    }

    [Theory]
    [InlineData("[[1, 2, 3], [4, 5]]")]
    [InlineData("[[1, 2, 3], [4, 5], [6, 7, 8, 9]]")] // nine numbers, as a [3, 3] tensor has, in rows of 3, 2 and 4
    [InlineData("[[1, 2, 3], [4, 5, [6]]]")]
    [InlineData("[[1, 2, 3], 4]")]
    public async Task Predict_RaggedRows_Returns400SayingRagged(string input)
    {
        var model = await fixture.PushAsync("predict-add", TensorModels.AddBias());

        var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{model}/predict", $$"""{"input": {{input}}}""");

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {body}");
        Assert.Contains("ragged", body.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        await fixture.Server.AssertLiveAsync();
    }

    private static float[][] Nested(JsonElement rows) =>
        rows.EnumerateArray().Select(r => r.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray()).ToArray();
}
