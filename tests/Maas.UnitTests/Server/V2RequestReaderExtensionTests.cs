using System.Text;
using Maas.Core.Errors;
using Maas.Server.Protocols.V2;

namespace Maas.UnitTests.Server;

/// <summary>The reader's side of the binary tensor data and classification extensions.</summary>
public sealed class V2RequestReaderExtensionTests
{
    [Fact]
    public void Read_BinaryAndJsonInputsMixed_TakesBinaryBytesInInputOrder()
    {
        const string json = """
            {"inputs": [
              {"name": "a", "shape": [2], "datatype": "INT16", "parameters": {"binary_data_size": 4}},
              {"name": "b", "shape": [1], "datatype": "INT32", "data": [7]},
              {"name": "c", "shape": [1], "datatype": "UINT8", "parameters": {"binary_data_size": 1}}]}
            """;
        byte[] binary = [1, 0, 255, 255, 9];

        using var request = V2RequestReader.Read(Encoding.UTF8.GetBytes(json), binary, 1000);

        Assert.Equal([(short)1, (short)-1], request.Request.Inputs[0].AsSpan<short>().ToArray());
        Assert.Equal([7], request.Request.Inputs[1].AsSpan<int>().ToArray());
        Assert.Equal([(byte)9], request.Request.Inputs[2].AsSpan<byte>().ToArray());
    }

    [Fact]
    public void Read_OutputParameters_RecordsBinaryAndClassificationPerOutput()
    {
        const string json = """
            {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}],
             "parameters": {"binary_data_output": true},
             "outputs": [{"name": "p", "parameters": {"classification": 3}}, {"name": "q", "parameters": {"binary_data": false}}]}
            """;

        using var request = V2RequestReader.Read(Encoding.UTF8.GetBytes(json), [], 1000);

        Assert.Equal(["p", "q"], request.Request.RequestedOutputs);
        Assert.Equal(3, request.Outputs![0].Classification);
        Assert.True(request.IsBinary("p"));
        Assert.False(request.IsBinary("q"));
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "parameters": {"binary_data_size": -4}}]}""", "non-negative integer")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "parameters": {"binary_data_size": "4"}}]}""", "non-negative integer")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "parameters": {"binary_data_output": 1}}""", "must be true or false")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "y", "parameters": {"binary_data": "yes"}}]}""", "must be true or false")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "y", "parameters": {"classification": 1.5}}]}""", "positive integer")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "y"}, {"name": "y"}]}""", "requested twice")]
    public void Read_BadExtensionParameters_ThrowsInvalidArgument(string json, string expected)
    {
        var ex = Assert.Throws<MaasException>(() => V2RequestReader.Read(Encoding.UTF8.GetBytes(json), [], 1000));

        Assert.Equal(MaasErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BinaryBytesNoInputClaims_ThrowsInvalidArgument()
    {
        const string json = """{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}""";

        var ex = Assert.Throws<MaasException>(() => V2RequestReader.Read(Encoding.UTF8.GetBytes(json), [1, 2], 1000));

        Assert.Contains("2 bytes after the JSON part", ex.Message, StringComparison.Ordinal);
    }
}
