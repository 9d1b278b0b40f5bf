using System.Text;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Server.Protocols.V2;

namespace Maas.UnitTests.Server;

/// <summary>Parsing of Open Inference Protocol v2 inference requests.</summary>
public sealed class V2RequestReaderTests
{
    private const int Limit = 1000;

    [Fact]
    public void Read_DataBeforeDatatypeAndShape_ParsesTensor()
    {
        using var request = Read("""{"inputs": [{"data": [1, 2, 3, 4], "name": "x", "shape": [2, 2], "datatype": "INT32"}]}""");

        var input = Assert.Single(request.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(TensorDataType.Int32, input.DataType);
        Assert.Equal([2L, 2L], input.Shape);
        Assert.Equal([1, 2, 3, 4], input.AsSpan<int>().ToArray());
    }

    [Fact]
    public void Read_InputsBeforeId_KeepsIdOutputsAndParameters()
    {
        using var request = Read("""
            {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}],
             "outputs": [{"name": "y", "parameters": {"classification": 2}}, {"name": "z"}],
             "parameters": {"priority": 3, "tag": "nightly", "nested": {"a": [1, 2]}},
             "id": "request-7"}
            """);

        Assert.Equal("request-7", request.Id);
        Assert.Equal(["y", "z"], request.RequestedOutputs);
        Assert.NotNull(request.Parameters);
        Assert.Equal(3, ((JsonElement)request.Parameters["priority"]!).GetInt32());
        Assert.Equal("nightly", ((JsonElement)request.Parameters["tag"]!).GetString());
        Assert.Equal(2, ((JsonElement)request.Parameters["nested"]!).GetProperty("a")[1].GetInt32());
    }

    [Fact]
    public void Read_NoIdOrOutputs_LeavesThemNull()
    {
        using var request = Read("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}""");

        Assert.Null(request.Id);
        Assert.Null(request.RequestedOutputs);
        Assert.Null(request.Parameters);
    }

    [Fact]
    public void Read_NestedAndFlatData_GiveTheSameTensor()
    {
        using var flat = Read("""{"inputs": [{"name": "x", "shape": [2, 2, 2], "datatype": "INT16", "data": [1, -2, 3, -4, 5, -6, 7, -8]}]}""");
        using var nested = Read("""{"inputs": [{"name": "x", "shape": [2, 2, 2], "datatype": "INT16", "data": [[[1, -2], [3, -4]], [[5, -6], [7, -8]]]}]}""");

        Assert.Equal(flat.Inputs[0].Shape, nested.Inputs[0].Shape);
        Assert.Equal(flat.Inputs[0].AsSpan<short>().ToArray(), nested.Inputs[0].AsSpan<short>().ToArray());
        Assert.Equal([1, -2, 3, -4, 5, -6, 7, -8], nested.Inputs[0].AsSpan<short>().ToArray());
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "input_count": 1}""", "Unknown field 'input_count'")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1], "type": "FP32"}]}""", "Unknown field 'type'")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "y", "binary": true}]}""", "Unknown field 'binary'")]
    public void Read_UnknownField_ThrowsNamingTheField(string json, string expected)
    {
        var error = Assert.Throws<MaasException>(() => Read(json));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SameInputNameTwice_Throws()
    {
        var input = """{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}""";

        var error = Assert.Throws<MaasException>(() => Read($$"""{"inputs": [{{input}}, {{input}}]}"""));

        Assert.Contains("'x' is given twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"inputs": []}""", "no inputs")]
    [InlineData("""{"id": "a"}""", "no inputs")]
    [InlineData("""{"inputs": [{"shape": [1], "datatype": "FP32", "data": [1]}]}""", "no 'name'")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "data": [1]}]}""", "no 'datatype'")]
    [InlineData("""{"inputs": [{"name": "x", "datatype": "FP32", "data": [1]}]}""", "no 'shape'")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32"}]}""", "no 'data'")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "fp32", "data": [1]}]}""", "datatype 'fp32'")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1.5], "datatype": "FP32", "data": [1]}]}""", "non-negative integers")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1], "parameters": {"binary_data_size": 4}}]}""", "both 'data' and 'binary_data_size'")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [0, 3], "datatype": "FP32", "data": []}]}""", "empty batch")]
    public void Read_IncompleteOrInvalidInput_ThrowsInvalidArgument(string json, string expected)
    {
        var error = Assert.Throws<MaasException>(() => Read(json));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ZeroInnerDimension_IsAccepted()
    {
        // An empty inner dimension (an empty past sequence, say) is legitimate; only an empty batch is refused.
        using var request = Read("""{"inputs": [{"name": "past", "shape": [1, 0, 4], "datatype": "FP32", "data": []}]}""");

        Assert.Equal([1L, 0L, 4L], request.Inputs[0].Shape);
        Assert.Equal(0, request.Inputs[0].ElementCount);
    }

    [Theory]
    [InlineData("[10, 101]")]
    [InlineData("[1001]")]
    [InlineData("[2, 4611686018427387904]")]
    [InlineData("[3, 9223372036854775807]")]
    public void Read_ShapeOverElementLimit_ThrowsPayloadTooLarge(string shape)
    {
        var error = Assert.Throws<MaasException>(() => Read($$"""{"inputs": [{"name": "x", "shape": {{shape}}, "datatype": "FP32", "data": [1]}]}"""));

        Assert.Equal(MaasErrorKind.PayloadTooLarge, error.Kind);
        Assert.Contains("more than 1000 elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeDimensionAfterZero_CountsNoElements()
    {
        // Zero elements whatever the other dimensions are: not too large, and the product must not overflow.
        using var request = Read("""{"inputs": [{"name": "x", "shape": [1, 0, 9223372036854775807, 2], "datatype": "FP32", "data": []}]}""");

        Assert.Equal(0, request.Inputs[0].ElementCount);
    }

    [Fact]
    public void Read_ShapeAtElementLimit_IsAccepted()
    {
        var data = string.Join(", ", Enumerable.Range(0, Limit));

        using var request = Read($$"""{"inputs": [{"name": "x", "shape": [10, 100], "datatype": "INT32", "data": [{{data}}]}]}""");

        Assert.Equal(Limit, request.Inputs[0].ElementCount);
        Assert.Equal(Limit - 1, request.Inputs[0].AsSpan<int>()[^1]);
    }

    [Theory]
    [InlineData("[1, 2]", "JSON object")]
    [InlineData("\"inputs\"", "JSON object")]
    public void Read_NotAnObject_Throws(string json, string expected)
    {
        var error = Assert.Throws<MaasException>(() => Read(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BodyEndsEarly_Throws()
    {
        var error = Record.Exception(() => Read("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]"""));

        Assert.True(error is JsonException or MaasException { Kind: MaasErrorKind.InvalidArgument }, $"unexpected {error?.GetType().Name ?? "success"}");
    }

    [Theory]
    [InlineData(" trailing")]
    [InlineData(" {}")]
    [InlineData("]")]
    public void Read_ContentAfterRequestObject_Throws(string trailing)
    {
        var json = """{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}""" + trailing;

        var error = Record.Exception(() => Read(json));

        // The JSON reader's own exception becomes "Malformed JSON" (400) in the error middleware.
        Assert.True(error is JsonException or MaasException { Kind: MaasErrorKind.InvalidArgument }, $"unexpected {error?.GetType().Name ?? "success"}");
    }

    [Fact]
    public void Read_TrailingWhitespace_IsAccepted()
    {
        using var request = Read("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}\r\n  \n");

        Assert.Single(request.Inputs);
    }

    private static InferenceRequest Read(string json) => V2RequestReader.Read(Encoding.UTF8.GetBytes(json), Limit);
}
