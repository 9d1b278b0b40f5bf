using System.Net;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>Bad tensors to real ONNX models: each is a 400 in the protocol's error shape that says what is wrong,
/// and the server keeps serving.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class TensorBadInputTests(TensorServerFixture fixture)
{
    [Fact]
    public async Task Infer_StringInFp32Data_Returns400SayingNumbers()
    {
        var model = await fixture.PushAsync("bad-fp32", TensorModels.Identity(TensorDataType.Fp32));

        await AssertBadRequestAsync(model, Input("FP32", "[1, 2, \"a\"]", "[1, 3]"), "must hold numbers");
    }

    [Theory]
    [InlineData("UINT8", "[1, 2, 300]", "300")]
    [InlineData("UINT8", "[1, 2, -1]", "-1")]
    [InlineData("INT8", "[1, 2, -129]", "-129")]
    [InlineData("INT8", "[1, 2, 128]", "128")]
    [InlineData("UINT16", "[1, 2, 65536]", "65536")]
    [InlineData("INT16", "[1, 2, -32769]", "-32769")]
    [InlineData("UINT32", "[1, 2, 4294967296]", "4294967296")]
    [InlineData("INT32", "[1, 2, 2147483648]", "2147483648")]
    [InlineData("UINT64", "[1, 2, -1]", "-1")]
    [InlineData("INT64", "[1, 2, 9223372036854775808]", "9223372036854775808")]
    public async Task Infer_NumberOutOfRangeForType_Returns400NamingValueAndType(string datatype, string data, string value)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        var model = await fixture.PushAsync("bad-range", TensorModels.Identity(type));

        var error = await AssertBadRequestAsync(model, Input(datatype, data, "[1, 3]"), $"{value} is not a valid {datatype}");

        Assert.Contains("'x'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT32")]
    [InlineData("UINT8")]
    [InlineData("INT64")]
    public async Task Infer_FractionForIntegerType_Returns400(string datatype)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        var model = await fixture.PushAsync("bad-fraction", TensorModels.Identity(type));

        await AssertBadRequestAsync(model, Input(datatype, "[1, 1.5, 2]", "[1, 3]"), $"1.5 is not a valid {datatype}");
    }

    [Theory]
    [InlineData("FP32", "[1, null, 3]")]
    [InlineData("BOOL", "[true, null, false]")]
    [InlineData("BYTES", "[\"a\", null, \"c\"]")]
    public async Task Infer_NullInData_Returns400MentioningNull(string datatype, string data)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        var model = await fixture.PushAsync("bad-null", TensorModels.Identity(type));

        await AssertBadRequestAsync(model, Input(datatype, data, "[1, 3]"), "found null");
    }

    [Fact]
    public async Task Infer_BoolGivenNumber_Returns400SayingTrueOrFalse()
    {
        var model = await fixture.PushAsync("bad-bool", TensorModels.Identity(TensorDataType.Bool));

        await AssertBadRequestAsync(model, Input("BOOL", "[true, 1, false]", "[1, 3]"), "true or false");
    }

    [Theory]
    [InlineData("[1, 2, 3, 4, 5]", "holds 5")]
    [InlineData("[1, 2, 3, 4, 5, 6, 7]", "holds 7")]
    public async Task Infer_ElementCountDiffersFromShape_Returns400WithBothCounts(string data, string actual)
    {
        var model = await fixture.PushAsync("bad-count", TensorModels.Identity(TensorDataType.Fp32));

        var error = await AssertBadRequestAsync(model, Input("FP32", data, "[2, 3]"), "needs 6 elements");

        Assert.Contains(actual, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_DatatypeDiffersFromModelInput_Returns400NamingBothTypes()
    {
        var model = await fixture.PushAsync("bad-type", TensorModels.Identity(TensorDataType.Fp32));

        await AssertBadRequestAsync(model, Input("INT32", "[1, 2, 3]", "[1, 3]"), "must be FP32, not INT32");
    }

    [Theory]
    [InlineData("[2, 4]", "[1, 2, 3, 4, 5, 6, 7, 8]")]
    [InlineData("[6]", "[1, 2, 3, 4, 5, 6]")]
    [InlineData("[1, 2, 3]", "[1, 2, 3, 4, 5, 6]")]
    public async Task Infer_ShapeNotAcceptedByModel_Returns400WithExpectedShape(string shape, string data)
    {
        var model = await fixture.PushAsync("bad-shape", TensorModels.Identity(TensorDataType.Fp32));

        var error = await AssertBadRequestAsync(model, Input("FP32", data, shape), "the model expects [-1, 3]");

        Assert.Contains(shape, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_MissingOneOfTwoInputs_Returns400NamingTheMissingInput()
    {
        var model = await fixture.PushAsync("bad-missing", TensorModels.AddTwoInputs(TensorDataType.Fp32));

        await AssertBadRequestAsync(model, Input("FP32", "[1, 2, 3]", "[1, 3]", name: "a"), "'b', which the request lacks");
    }

    [Fact]
    public async Task Infer_UnknownInputName_Returns400ListingTheModelInputs()
    {
        var model = await fixture.PushAsync("bad-name", TensorModels.Identity(TensorDataType.Fp32));

        var error = await AssertBadRequestAsync(model, Input("FP32", "[1, 2, 3]", "[1, 3]", name: "z"), "no input 'z'");

        Assert.Contains("x", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_EmptyBatch_Returns400SayingEmpty()
    {
        var model = await fixture.PushAsync("bad-empty", TensorModels.Identity(TensorDataType.Fp32));

        await AssertBadRequestAsync(model, Input("FP32", "[]", "[0, 3]"), "empty");
    }

    [Fact]
    public async Task Infer_BinaryDataSizeAndJsonData_Returns400SayingSendOne()
    {
        var model = await fixture.PushAsync("bad-binary", TensorModels.Identity(TensorDataType.Fp32));
        var body = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}, "data": [1, 2, 3]}]}""";

        await AssertBadRequestAsync(model, body, "both 'data' and 'binary_data_size'");
    }

    [Fact]
    public async Task Infer_SameInputTwice_Returns400()
    {
        var model = await fixture.PushAsync("bad-twice", TensorModels.Identity(TensorDataType.Fp32));
        var input = """{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}""";

        await AssertBadRequestAsync(model, $$"""{"inputs": [{{input}}, {{input}}]}""", "given twice");
    }

    [Theory]
    [InlineData("FP64", "[1, 2, 1e400]", "1e400")]
    [InlineData("FP32", "[1, 2, 1e39]", "1e39")]
    [InlineData("FP16", "[1, 2, 70000]", "70000")]
    public async Task Infer_FloatBeyondTypeRange_Returns400NamingValue(string datatype, string data, string value)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        var model = await fixture.PushAsync("bad-float-range", TensorModels.Identity(type));

        await AssertBadRequestAsync(model, Input(datatype, data, "[1, 3]"), $"{value} is not a valid {datatype}");
    }

    [Fact]
    public async Task Infer_ShapeWhoseElementCountOverflows_Returns4xx()
    {
        var model = await fixture.PushAsync("bad-overflow", TensorModels.Identity(TensorDataType.Fp32));

        var (status, response) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer",
            Input("FP32", "[1, 2, 3]", "[2, 4611686018427387904]"));

        Assert.True((int)status is >= 400 and < 500, $"{(int)status}: {response}");
        Assert.False(string.IsNullOrEmpty(response.GetProperty("error").GetString()));
        await fixture.Server.AssertLiveAsync();
    }

    [Fact]
    public async Task Infer_ContentAfterRequestObject_Returns400MalformedJson()
    {
        var model = await fixture.PushAsync("bad-trailing", TensorModels.Identity(TensorDataType.Fp32));

        await AssertBadRequestAsync(model, Input("FP32", "[1, 2, 3]", "[1, 3]") + """{"inputs": []}""", "Malformed JSON");
    }

    private static string Input(string datatype, string data, string shape, string name = "x") =>
        $$"""{"inputs": [{"name": "{{name}}", "shape": {{shape}}, "datatype": "{{datatype}}", "data": {{data}}}]}""";

    private async Task<string> AssertBadRequestAsync(string model, string body, string expected)
    {
        var (status, response) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {response}");
        var error = response.GetProperty("error").GetString();
        Assert.Contains(expected, error, StringComparison.Ordinal);
        await fixture.Server.AssertLiveAsync();
        return error!;
    }
}
