using System.Text.Json;
using Maas.Cli.Commands;

namespace Maas.UnitTests.Cli;

public sealed class PredictCommandTests
{
    [Theory]
    [InlineData("""["a","b"]""", JsonValueKind.Array)]
    [InlineData("[[1,2]]", JsonValueKind.Array)]
    [InlineData("""{"text":"hi"}""", JsonValueKind.Object)]
    [InlineData("hello world", JsonValueKind.String)]
    [InlineData("[unclosed", JsonValueKind.String)]
    [InlineData("\"42\"", JsonValueKind.String)]
    public void Parse_Input_IsJsonWhenValidElseString(string input, JsonValueKind expected)
    {
        var node = PredictInput.Parse(input);

        Assert.Equal(expected, node!.GetValueKind());
    }

    [Fact]
    public async Task Predict_JsonInput_SendsParsedJson()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"output":["pos","neg"]}""");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("predict", "sentiment", """["great","awful"]""", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        var request = server.Single;
        Assert.Equal(("POST", "/models/sentiment/predict"), (request.Method, request.Path));
        Assert.Equal("""{"input":["great","awful"]}""", request.Body);
        Assert.Contains("\"pos\"", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_PlainText_SendsString()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"output":"pos"}""");
        using var cli = new CliHarness();

        await cli.RunAsync("predict", "sentiment", "what a day", "--server", server.Url.ToString());

        Assert.Equal("""{"input":"what a day"}""", server.Single.Body);
        Assert.Equal("\"pos\"", cli.Output.Trim());
    }

    [Fact]
    public async Task Predict_LargeEmbedding_PrintsShapeAndPreview()
    {
        var embedding = string.Join(",", Enumerable.Range(0, 384).Select(i => (i / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var server = await FakeMaasServer.StartAsync(200, $$"""{"output":[[{{embedding}}],[{{embedding}}]]}""");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("predict", "minilm", """["a","b"]""", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Contains("shape [2, 384]", cli.Output, StringComparison.Ordinal);
        Assert.Contains("[0.0000, 0.0010, 0.0020, 0.0030, 0.0040, …] (384 values)", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("0.383", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_LargeEmbeddingWithFull_PrintsEveryValueAsJson()
    {
        var embedding = string.Join(",", Enumerable.Range(0, 384).Select(i => (i / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var server = await FakeMaasServer.StartAsync(200, $$"""{"output":[{{embedding}}]}""");
        using var cli = new CliHarness();

        await cli.RunAsync("predict", "minilm", "a", "--full", "--server", server.Url.ToString());

        using var printed = JsonDocument.Parse(cli.Output);
        Assert.Equal(384, printed.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Predict_ErrorShape_PrintsMessageAndExitsWithOne()
    {
        await using var server = await FakeMaasServer.StartAsync(404, """{"error":"model 'nope' is not deployed"}""");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("predict", "nope", "x", "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains("model 'nope' is not deployed", cli.ErrorOutput, StringComparison.Ordinal);
        Assert.Equal(string.Empty, cli.Output);
    }

    [Fact]
    public async Task Predict_MissingInput_ExitsWithUsageError()
    {
        using var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync("predict", "minilm"));
    }
}
