using System.Net;
using System.Text.Json;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>Models that compute: the server hands the inputs to ONNX Runtime and returns what it computed.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class ArithmeticTests(TensorServerFixture fixture)
{
    [Fact]
    public async Task Infer_AddWithFp32Initializer_AddsBiasToEveryRow()
    {
        var model = await fixture.PushAsync("add-bias", TensorModels.AddBias());
        float[] x = [1.5f, -2f, 0.25f, -100f, 3f, 7.75f];
        float[] bias = [10f, 20f, 30f];

        var output = await InferSingleOutputAsync(model,
            """{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1.5, -2, 0.25, -100, 3, 7.75]}]}""");

        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([2L, 3L], Shape(output));
        var expected = x.Select((v, i) => v + bias[i % 3]).ToArray();
        Assert.Equal(expected, output.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray());
    }

    [Fact]
    public async Task Infer_MatMulFp32_ReturnsMatrixProduct()
    {
        float[] weights = [1f, -1f, 0.5f, 2f, 0f, 3f];
        var model = await fixture.PushAsync("matmul", new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, 3])
            .AddInitializer("w", TensorDataType.Fp32, [3, 2], weights)
            .AddOutput("y", TensorDataType.Fp32, [-1, 2])
            .AddNode("MatMul", ["x", "w"], ["y"]));
        float[] x = [1f, 2f, 3f, -1f, 0.5f, 4f];

        var output = await InferSingleOutputAsync(model,
            """{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2, 3], [-1, 0.5, 4]]}]}""");

        var expected = new float[4];
        for (var row = 0; row < 2; row++)
        {
            for (var col = 0; col < 2; col++)
            {
                for (var k = 0; k < 3; k++)
                {
                    expected[(row * 2) + col] += x[(row * 3) + k] * weights[(k * 2) + col];
                }
            }
        }

        Assert.Equal([2L, 2L], Shape(output));
        Assert.Equal(expected, output.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray());
    }

    [Fact]
    public async Task Infer_Int64AddOfTwoInputs_ReturnsExactSums()
    {
        var model = await fixture.PushAsync("add-int64", TensorModels.AddTwoInputs(TensorDataType.Int64));
        long[] a = [4_000_000_000_000, -5, 0, 9_223_372_036_854_775_000, -9_223_372_036_854_775_000, 1];
        long[] b = [1, 5, -7, 807, -808, -2];

        var output = await InferSingleOutputAsync(model, $$"""
            {"inputs": [
              {"name": "a", "shape": [2, 3], "datatype": "INT64", "data": [{{string.Join(", ", a)}}]},
              {"name": "b", "shape": [2, 3], "datatype": "INT64", "data": [{{string.Join(", ", b)}}]}]}
            """);

        Assert.Equal("INT64", output.GetProperty("datatype").GetString());
        Assert.Equal(a.Zip(b, (x, y) => x + y), output.GetProperty("data").EnumerateArray().Select(e => e.GetInt64()));
    }

    private async Task<JsonElement> InferSingleOutputAsync(string model, string body)
    {
        var (status, response) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {response}");
        return Assert.Single(response.GetProperty("outputs").EnumerateArray());
    }

    private static long[] Shape(JsonElement tensor) => tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
}
