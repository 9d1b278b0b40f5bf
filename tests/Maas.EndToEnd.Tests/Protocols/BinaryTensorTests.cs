using System.Net;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.Tensors;

namespace Maas.EndToEnd.Tests.Protocols;

/// <summary>The binary tensor data extension: every datatype gives the same answer as JSON, in both directions, and
/// inconsistent sizes are refused with 400 in the v2 error shape.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class BinaryTensorTests(TensorServerFixture fixture)
{
    public static TheoryData<string, string[]> Values => DatatypeMatrixTests.Values;

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Infer_JsonInputBinaryOutput_ReturnsLittleEndianBytesOfSameValues(string datatype, string[] values)
    {
        var model = await PushIdentityAsync(datatype);
        var expected = BinaryBody.Encode(datatype, values);
        var body = $$$"""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "{{{datatype}}}", "data": [{{{string.Join(", ", values)}}}]}], "parameters": {"binary_data_output": true}}""";

        var response = await BinaryBody.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body, []);

        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Json}");
        Assert.Equal("application/octet-stream", response.ContentType);
        Assert.NotNull(response.HeaderLength);
        var output = response.Json.GetProperty("outputs")[0];
        Assert.False(output.TryGetProperty("data", out _));
        Assert.Equal(expected.Length, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt64());
        Assert.Equal(expected, response.Binary);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Infer_BinaryInputJsonOutput_EqualsJsonInputJsonOutput(string datatype, string[] values)
    {
        var model = await PushIdentityAsync(datatype);
        var json = $$"""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "{{datatype}}", "data": [{{string.Join(", ", values)}}]}]}""";
        var (status, fromJson) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", json);
        Assert.Equal(HttpStatusCode.OK, status);
        var binary = BinaryBody.Encode(datatype, values);
        var header = $$$"""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "{{{datatype}}}", "parameters": {"binary_data_size": {{{binary.Length}}}}}]}""";

        var response = await BinaryBody.PostAsync(fixture.Client, $"/v2/models/{model}/infer", header, binary);

        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Json}");
        Assert.Equal("application/json", response.ContentType);
        Assert.Null(response.HeaderLength);
        Assert.Equal(fromJson.GetProperty("outputs").GetRawText(), response.Json.GetProperty("outputs").GetRawText());
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Infer_BinaryInputBinaryOutputOfOneOutput_ReturnsSameBytes(string datatype, string[] values)
    {
        var model = await PushIdentityAsync(datatype);
        var binary = BinaryBody.Encode(datatype, values);
        var header = $$$"""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "{{{datatype}}}", "parameters": {"binary_data_size": {{{binary.Length}}}}}], "outputs": [{"name": "y", "parameters": {"binary_data": true}}]}""";

        var response = await BinaryBody.PostAsync(fixture.Client, $"/v2/models/{model}/infer", header, binary);

        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Json}");
        Assert.Equal(binary, response.Binary);
        Assert.Equal(response.Json.GetRawText().Length, response.HeaderLength);
    }

    [Fact]
    public async Task Infer_TwoBinaryInputsAndOneJsonOutput_TakesBytesInInputOrder()
    {
        var model = await fixture.PushAsync("binary-two", TensorModels.AddTwoInputs(TensorDataType.Fp32));
        var a = BinaryBody.Encode("FP32", ["1", "2", "3"]);
        var b = BinaryBody.Encode("FP32", ["10", "20", "30"]);
        var header = """{"inputs": [{"name": "a", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}, {"name": "b", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""";

        var response = await BinaryBody.PostAsync(fixture.Client, $"/v2/models/{model}/infer", header, [.. a, .. b]);

        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Json}");
        Assert.Equal([11f, 22f, 33f], response.Json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Infer_BinaryOutputWithAllOutputsButOneOptedOut_MixesJsonAndBinary()
    {
        var model = await fixture.PushAsync("binary-mixed", TensorModels.TwoOutputs());
        var body = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "parameters": {"binary_data_output": true}, "outputs": [{"name": "same", "parameters": {"binary_data": false}}, {"name": "plus_one"}]}""";

        var response = await BinaryBody.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body, []);

        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Json}");
        var outputs = response.Json.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal([1f, 2f, 3f], outputs["same"].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(12, outputs["plus_one"].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(BinaryBody.Encode("FP32", ["2", "3", "4"]), response.Binary);
    }

    [Theory]
    [InlineData("FP32", "[1, 3]", new byte[] { 0, 0, 128, 63, 0, 0, 0, 64 }, 8, null, "takes 12 bytes, but binary_data_size is 8")]
    [InlineData("FP32", "[1, 3]", new byte[] { 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 9, 9, 9, 9 }, 12, null, "add up to 12")]
    [InlineData("FP32", "[1, 3]", new byte[] { 0, 0, 128, 63 }, 12, null, "only 4 bytes of binary data remain")]
    [InlineData("FP32", "[1, 3]", new byte[] { 0, 0, 128, 63 }, 4, "999999", "must be one non-negative integer")]
    [InlineData("FP32", "[1, 3]", new byte[] { 0, 0, 128, 63 }, 4, "-1", "must be one non-negative integer")]
    [InlineData("BOOL", "[1, 3]", new byte[] { 1, 2, 0 }, 3, null, "must be the byte 0 or 1")]
    [InlineData("BYTES", "[1, 3]", new byte[] { 1, 0, 0, 0, 65, 200, 0, 0, 0, 66 }, 10, null, "declares 200 bytes")]
    [InlineData("BYTES", "[1, 3]", new byte[] { 1, 0, 0, 0, 65, 1, 0, 0, 0, 66, 1, 0, 0, 0, 67, 0 }, 16, null, "take 15 bytes, but binary_data_size is 16")]
    public async Task Infer_InconsistentBinarySizes_Returns400InV2Shape(string datatype, string shape, byte[] binary, int declared, string? header, string expected)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        var model = await fixture.PushAsync("binary-bad", TensorModels.Identity(type));
        var json = $$$"""{"inputs": [{"name": "x", "shape": {{{shape}}}, "datatype": "{{{datatype}}}", "parameters": {"binary_data_size": {{{declared}}}}}]}""";

        var response = await BinaryBody.PostAsync(fixture.Client, $"/v2/models/{model}/infer", json, binary, header);

        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{(int)response.Status}: {response.Json}");
        Assert.Contains(expected, response.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        await fixture.Server.AssertLiveAsync();
    }

    [Fact]
    public async Task Infer_BinaryDataSizeWithoutHeader_Returns400()
    {
        var model = await fixture.PushAsync("binary-noheader", TensorModels.Identity(TensorDataType.Fp32));
        var body = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""";

        var (status, response) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("only 0 bytes of binary data remain", response.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> PushIdentityAsync(string datatype)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        return await fixture.PushAsync("binary-" + datatype.ToLowerInvariant(), TensorModels.Identity(type));
    }
}
