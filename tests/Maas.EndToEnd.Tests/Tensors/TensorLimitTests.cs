using System.Net;
using System.Text;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>Configured request limits: a request past one is a 413 in the protocol's error shape, and smaller
/// requests keep working on the same server.</summary>
public sealed class TensorLimitTests
{
    [Fact]
    public async Task Infer_BodyLargerThanLimit_Returns413AndServerKeepsServing()
    {
        await using var server = await MaasTestServer.StartAsync(settings: ["Maas:Limits:MaxRequestBodyBytes=2000"]);
        await server.PushAsync("limit-body", [("model.onnx", TensorModels.Identity(TensorDataType.Fp32).ToBytes())]);
        var rows = string.Join(", ", Enumerable.Repeat("[1.25, 2.5, 3.75]", 200));
        var large = $$"""{"inputs": [{"name": "x", "shape": [200, 3], "datatype": "FP32", "data": [{{rows}}]}]}""";
        Assert.True(Encoding.UTF8.GetByteCount(large) > 2000);

        var (status, body) = await Json.PostAsync(server.Client, "/v2/models/limit-body/infer", large);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("larger than the server's limit", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        await server.AssertLiveAsync();
        var (smallStatus, _) = await Json.PostAsync(server.Client, "/v2/models/limit-body/infer",
            """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""");
        Assert.Equal(HttpStatusCode.OK, smallStatus);
    }

    [Theory]
    [InlineData("/v2/models/limit-elements/infer", """{"inputs": [{"name": "x", "shape": [4, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}]}""")]
    [InlineData("/models/limit-elements/predict", """{"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]}""")]
    public async Task Infer_TensorOverElementLimit_Returns413AndServerKeepsServing(string path, string overLimit)
    {
        await using var server = await MaasTestServer.StartAsync(settings: ["Maas:Limits:MaxTensorElements=10"]);
        await server.PushAsync("limit-elements", [("model.onnx", TensorModels.Identity(TensorDataType.Fp32).ToBytes())]);

        var (status, body) = await Json.PostAsync(server.Client, path, overLimit);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("more than 10 elements", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        await server.AssertLiveAsync();
        var (smallStatus, _) = await Json.PostAsync(server.Client, "/v2/models/limit-elements/infer",
            """{"inputs": [{"name": "x", "shape": [3, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8, 9]}]}""");
        Assert.Equal(HttpStatusCode.OK, smallStatus);
    }
}
