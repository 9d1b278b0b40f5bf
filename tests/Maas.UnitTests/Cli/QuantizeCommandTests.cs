using System.Text.Json;

namespace Maas.UnitTests.Cli;

public sealed class QuantizeCommandTests
{
    private const string QueuedJob = """
        {"id":"01jobid0000001","kind":"quantize","parameters":{"model":"minilm","version":1,"method":"dynamic-int8"},"state":"queued",
         "progress":0,"actor":"anonymous","created_at":"2026-12-03T10:00:00Z"}
        """;

    [Fact]
    public async Task Quantize_Detach_PostsJobWithOptionsAndCalibrationAndPrintsId()
    {
        await using var server = await FakeMaasServer.StartAsync(202, QueuedJob);
        using var cli = new CliHarness();
        var calibration = Path.Combine(Path.GetTempPath(), $"calibration-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(calibration, "{\"text\":\"one\"}\n\n{\"text\":\"two\"}\n");
        try
        {
            var exitCode = await cli.RunAsync(
                "quantize", "minilm:1", "--method", "dynamic-int8", "--alias", "int8",
                "--option", "per_channel=true", "--option", "exclude=[\"/pooler\"]", "--option", "op_types=MatMul",
                "--calibration", calibration, "--detach", "--server", server.Url.ToString());

            Assert.True(exitCode == 0, cli.ErrorOutput);
            Assert.Equal("01jobid0000001", cli.Output.Trim());
            var request = server.Single;
            Assert.Equal(("POST", "/api/jobs"), (request.Method, request.Path));
            using var body = JsonDocument.Parse(request.Body);
            Assert.Equal("quantize", body.RootElement.GetProperty("kind").GetString());
            var parameters = body.RootElement.GetProperty("parameters");
            Assert.Equal(("minilm", 1, "dynamic-int8", "int8"), (
                parameters.GetProperty("model").GetString(),
                parameters.GetProperty("version").GetInt32(),
                parameters.GetProperty("method").GetString(),
                parameters.GetProperty("alias").GetString()));
            var options = parameters.GetProperty("options");
            Assert.True(options.GetProperty("per_channel").GetBoolean());
            Assert.Equal("/pooler", options.GetProperty("exclude")[0].GetString());
            Assert.Equal("MatMul", options.GetProperty("op_types").GetString());
            Assert.Equal(["one", "two"], parameters.GetProperty("calibration").EnumerateArray().Select(i => i.GetProperty("text").GetString()));
        }
        finally
        {
            File.Delete(calibration);
        }
    }

    [Fact]
    public async Task Quantize_NoVersion_SendsNoVersion()
    {
        await using var server = await FakeMaasServer.StartAsync(202, QueuedJob);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("quantize", "minilm", "--method", "fp16", "--detach", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        using var body = JsonDocument.Parse(server.Single.Body);
        Assert.False(body.RootElement.GetProperty("parameters").TryGetProperty("version", out _));
    }

    [Theory]
    [InlineData("--option", "novalue")]
    [InlineData("--calibration", "/no/such/file.jsonl")]
    public async Task Quantize_BadLocalInput_FailsBeforeAnyRequest(string option, string value)
    {
        await using var server = await FakeMaasServer.StartAsync(202, QueuedJob);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("quantize", "minilm", "--method", "fp16", option, value, "--detach", "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Empty(server.Requests);
        Assert.Contains("error:", cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantize_WithoutMethod_UsageError()
    {
        using var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync("quantize", "minilm", "--detach"));
    }
}
