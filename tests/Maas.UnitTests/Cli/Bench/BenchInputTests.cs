using System.Text.Json;
using Maas.Cli;
using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

public sealed class BenchInputTests
{
    [Fact]
    public void Generate_TextInput_SentencesOfVaryingLengthPerRow()
    {
        var input = BenchInput.Generate([new InputTensor("text", "BYTES", [-1])], batch: 3, seed: 1);

        Assert.Equal(3, input.RowsPerRequest);
        Assert.Equal(BenchInput.GeneratedVariants, input.Bodies.Count);
        var lengths = new HashSet<int>();
        foreach (var body in input.Bodies)
        {
            var tensor = Inputs(body)[0];
            Assert.Equal("text", tensor.GetProperty("name").GetString());
            Assert.Equal("BYTES", tensor.GetProperty("datatype").GetString());
            Assert.Equal([3], tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            var texts = tensor.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(3, texts.Count);
            Assert.All(texts, t => Assert.EndsWith(".", t, StringComparison.Ordinal));
            texts.ForEach(t => lengths.Add(t.Split(' ').Length));
        }

        Assert.True(lengths.Count > 5, "sentences should vary in length");
    }

    [Fact]
    public void Generate_NumericInputs_BatchInFirstVariableDimensionOthersOne()
    {
        var input = BenchInput.Generate(
            [new InputTensor("x", "FP32", [-1, 3, -1]), new InputTensor("ids", "INT64", [-1, 4]), new InputTensor("flag", "BOOL", [2])],
            batch: 2,
            seed: 1);

        var tensors = Inputs(input.Bodies[0]);
        Assert.Equal([2, 3, 1], tensors[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(6, tensors[0].GetProperty("data").GetArrayLength());
        Assert.All(tensors[0].GetProperty("data").EnumerateArray(), v => Assert.InRange(v.GetDouble(), 0, 1));
        Assert.Equal(8, tensors[1].GetProperty("data").GetArrayLength());
        Assert.All(tensors[1].GetProperty("data").EnumerateArray(), v => Assert.Equal(JsonValueKind.Number, v.ValueKind));
        Assert.All(tensors[2].GetProperty("data").EnumerateArray(), v => Assert.True(v.ValueKind is JsonValueKind.True or JsonValueKind.False));
        Assert.Equal(2, input.RowsPerRequest);
    }

    [Fact]
    public void Generate_SameSeed_SameBodies()
    {
        var a = BenchInput.Generate([new InputTensor("text", "BYTES", [-1])], 1, seed: 5);
        var b = BenchInput.Generate([new InputTensor("text", "BYTES", [-1])], 1, seed: 5);

        Assert.Equal(a.Bodies, b.Bodies);
    }

    [Fact]
    public void Generate_UnknownDatatype_AsksForAnInputFile()
    {
        var error = Assert.Throws<CliException>(() => BenchInput.Generate([new InputTensor("x", "COMPLEX", [1])], 1, 1));

        Assert.Contains("--input", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_InferBody_SentAsItIsWithItsRows()
    {
        var path = Path.GetTempFileName();
        try
        {
            const string body = """{"inputs": [{"name": "x", "shape": [4, 3], "datatype": "FP32", "data": [1,2,3,4,5,6,7,8,9,10,11,12]}]}""";
            File.WriteAllText(path, body);

            var input = BenchInput.FromFile(path);

            Assert.Equal(4, input.RowsPerRequest);
            Assert.Equal(body, System.Text.Encoding.UTF8.GetString(Assert.Single(input.Bodies)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromFile_JsonLines_EachLineABodySentInTurn()
    {
        var path = Path.GetTempFileName();
        try
        {
            const string first = """{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["short"]}]}""";
            const string second = """{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a longer sentence"]}]}""";
            File.WriteAllText(path, first + "\n\n" + second + "\n");

            var input = BenchInput.FromFile(path);

            Assert.Equal(1, input.RowsPerRequest);
            Assert.Equal([first, second], input.Bodies.Select(b => System.Text.Encoding.UTF8.GetString(b)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromFile_JsonLinesWithABadLine_NamesTheLine()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}""" + "\n{\"inputs\": oops}\n");

            var error = Assert.Throws<CliException>(() => BenchInput.FromFile(path));

            Assert.Contains(":2", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"input": 1}""")]
    public void FromFile_NotAnInferBody_IsRefused(string content)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);

            Assert.Throws<CliException>(() => BenchInput.FromFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static JsonElement[] Inputs(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("inputs").EnumerateArray().Select(e => e.Clone()).ToArray();
    }
}
