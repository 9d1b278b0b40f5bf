using Maas.Cli;
using Maas.Core.Tensors;
using Maas.Formats.Gguf;
using Maas.Formats.Onnx;

namespace Maas.UnitTests.Cli;

public sealed class InspectCommandTests
{
    [Fact]
    public async Task Inspect_TinyGguf_PrintsFactsMetadataTemplateAndTensors()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "tiny.gguf");
        TinyLlamaGguf.Write(path, new TinyLlamaOptions { Name = "tiny-test", BlockCount = 1 });
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("inspect", path);

        Assert.Equal(ExitCodes.Success, exitCode);
        var output = cli.Output;
        Assert.Contains("llama", output, StringComparison.Ordinal);
        Assert.Contains("tiny-test", output, StringComparison.Ordinal);
        Assert.Contains("GGUF v3", output, StringComparison.Ordinal);
        Assert.Contains("bos 1 \"<s>\"", output, StringComparison.Ordinal);
        Assert.Contains("string[", output, StringComparison.Ordinal);
        Assert.Contains("[\"<unk>\", \"<s>\", \"</s>\", \"<0x00>\", \"<0x01>\", …] (", output, StringComparison.Ordinal);
        Assert.Contains("message['role']", output, StringComparison.Ordinal);
        foreach (var tensor in new[] { "token_embd.weight", "blk.0.attn_q.weight", "blk.0.ffn_down.weight", "output.weight" })
        {
            Assert.Contains(tensor, output, StringComparison.Ordinal);
        }

        Assert.Contains("[128, 64]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("blk.1.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_OnnxFile_PrintsHeaderInputsAndOutputs()
    {
        using var folder = new TempFolder();
        var path = folder.WriteFile("net.onnx", new OnnxModelBuilder()
            .WithProducer("unit-test", "1.0")
            .WithGraphName("g")
            .AddInput("pixels", TensorDataType.Fp32, [-1, 3])
            .AddOutput("scores", TensorDataType.Fp32, [-1, 2])
            .AddNode("Identity", ["pixels"], ["scores"])
            .ToBytes());
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("inspect", path);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("unit-test 1.0", cli.Output, StringComparison.Ordinal);
        Assert.Contains("pixels", cli.Output, StringComparison.Ordinal);
        Assert.Contains("scores", cli.Output, StringComparison.Ordinal);
        Assert.Contains("[-1, 3]", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_CorruptGguf_ExitsOneWithReason()
    {
        using var folder = new TempFolder();
        var path = folder.WriteFile("broken.gguf", "GGUF\u0003\0\0\0\u00ff"u8.ToArray());
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("inspect", path);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("is not a valid GGUF file", cli.ErrorOutput, StringComparison.Ordinal);
        Assert.Empty(cli.Output);
    }

    [Fact]
    public async Task Inspect_MissingFile_ExitsOne()
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("inspect", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".gguf"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("file not found", cli.ErrorOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_GarbageWithoutExtension_ExitsOneAsOnnx()
    {
        using var folder = new TempFolder();
        var path = folder.WriteFile("model.bin", new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff });
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("inspect", path);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("is not a valid ONNX model", cli.ErrorOutput, StringComparison.Ordinal);
    }
}
