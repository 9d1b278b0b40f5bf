using System.Text;
using Maas.Cli;
using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

public sealed class WireRequestTests
{
    [Fact]
    public void Parse_NumericAndBytesInputs_RawLittleEndianAndLengthPrefixed()
    {
        var json = """
            {"inputs": [
              {"name": "ids", "shape": [2, 2], "datatype": "INT64", "data": [[1, -2], [3, 256]]},
              {"name": "h", "shape": [2], "datatype": "FP16", "data": [1.5, -2]},
              {"name": "t", "shape": [2], "datatype": "BYTES", "data": ["hi", "é"]},
              {"name": "b", "shape": [3], "datatype": "BOOL", "data": [true, false, true]}
            ], "outputs": [{"name": "y"}]}
            """;

        var request = WireRequest.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(["ids", "h", "t", "b"], request.Inputs.Select(i => i.Name));
        Assert.Equal([2L, 2L], request.Inputs[0].Shape);
        Assert.Equal(new long[] { 1, -2, 3, 256 }.SelectMany(BitConverter.GetBytes), request.Inputs[0].Raw);
        Assert.Equal(new[] { (Half)1.5, (Half)(-2) }.SelectMany(BitConverter.GetBytes), request.Inputs[1].Raw);
        Assert.Equal(new byte[] { 2, 0, 0, 0, (byte)'h', (byte)'i', 2, 0, 0, 0, 0xC3, 0xA9 }, request.Inputs[2].Raw);
        Assert.Equal(new byte[] { 1, 0, 1 }, request.Inputs[3].Raw);
        Assert.Equal(["y"], request.Outputs!);
    }

    [Fact]
    public void ToBinary_Request_HeaderThenRawInOrder()
    {
        var request = new WireRequest([new WireInput("a", "UINT8", [2], [7, 8]), new WireInput("b", "INT32", [1], [1, 0, 0, 0])], ["y"]);

        var (body, headerLength) = request.ToBinary();

        using var header = System.Text.Json.JsonDocument.Parse(body.AsMemory(0, headerLength));
        var inputs = header.RootElement.GetProperty("inputs");
        Assert.Equal(2, inputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(4, inputs[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.True(header.RootElement.GetProperty("outputs")[0].GetProperty("parameters").GetProperty("binary_data").GetBoolean());
        Assert.Equal(new byte[] { 7, 8, 1, 0, 0, 0 }, body[headerLength..]);
    }

    [Fact]
    public void Parse_ValueOutOfRange_ClearCliError()
    {
        var json = """{"inputs": [{"name": "x", "shape": [1], "datatype": "UINT8", "data": [300]}]}""";

        var error = Assert.Throws<CliException>(() => WireRequest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("UINT8", error.Message, StringComparison.Ordinal);
    }
}
