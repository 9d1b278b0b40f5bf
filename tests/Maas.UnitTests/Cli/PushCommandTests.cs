using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.UnitTests.Cli;

public sealed class PushCommandTests
{
    private const string CreatedVersion = """
        {"model":"bert","version":3,"manifest":{"format":"onnx","engine":"onnx","task":"embeddings","model_file":"model.onnx"},
         "files":[{"name":"model.onnx","size":2048,"sha256":"0123456789abcdef0123456789abcdef"},{"name":"vocab.txt","size":12,"sha256":"fedcba9876543210"}],
         "created_at":"2025-01-02T03:04:05Z","created_by":"alice","lineage":null}
        """;

    [Fact]
    public async Task Push_SeveralPaths_SendsEachFileAsNamedFilePart()
    {
        using var folder = new TempFolder();
        var model = Onnx(weights: 75_000);
        var modelPath = folder.WriteFile("model.onnx", model);
        var vocabPath = folder.WriteFile("sub/vocab.txt", "[PAD]\n[UNK]\n");
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", modelPath, vocabPath, "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        var request = server.Single;
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/models/bert/versions", request.Path);
        Assert.StartsWith("multipart/form-data", request.ContentType, StringComparison.Ordinal);
        Assert.Collection(
            request.Files,
            file =>
            {
                Assert.Equal(("file", "model.onnx", "application/octet-stream"), (file.Name, file.FileName, file.ContentType));
                Assert.Equal(model, file.Content);
            },
            file =>
            {
                Assert.Equal(("file", "vocab.txt"), (file.Name, file.FileName));
                Assert.Equal("[PAD]\n[UNK]\n", System.Text.Encoding.UTF8.GetString(file.Content));
            });
        Assert.Empty(request.Fields);
    }

    [Fact]
    public async Task Push_AliasDescriptionAndManifest_SendsThemAsFormParts()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", Onnx());
        const string Manifest = """{"task":"classification","labels":["neg","pos"]}""";
        var manifestPath = folder.WriteFile("manifest.json", Manifest);
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(
            "models", "push", "bert", modelPath, "--alias", "production", "--manifest", manifestPath,
            "--description", "Sentence embeddings", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        var request = server.Single;
        Assert.Equal("production", request.Fields["alias"]);
        Assert.Equal("Sentence embeddings", request.Fields["description"]);
        Assert.Equal(Manifest, request.Fields["manifest"]);
        var file = Assert.Single(request.Files);
        Assert.Equal("model.onnx", file.FileName);
    }

    [Fact]
    public async Task Push_Created_PrintsVersionAndFileTable()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", Onnx());
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        await cli.RunAsync("models", "push", "bert", modelPath, "--server", server.Url.ToString());

        Assert.Contains($"Uploading 1 file to bert ({new FileInfo(modelPath).Length} B)", cli.Output, StringComparison.Ordinal);
        Assert.Contains("Pushed bert:3", cli.Output, StringComparison.Ordinal);
        Assert.Contains("2.0 KiB", cli.Output, StringComparison.Ordinal);
        Assert.Contains("0123456789ab", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123", cli.Output, StringComparison.Ordinal);
        Assert.Contains("vocab.txt", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_InteractiveConsole_UploadsWithProgressBar()
    {
        using var folder = new TempFolder();
        var content = Onnx(weights: 25_000);
        var modelPath = folder.WriteFile("model.onnx", content);
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness(interactive: true);

        var exitCode = await cli.RunAsync("models", "push", "bert", modelPath, "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal(content.Length, Assert.Single(server.Single.Files).Content.Length);
        Assert.Contains("100%", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_MissingFile_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", [1]);
        var missing = Path.Combine(folder.Path, "vocab.txt");

        var error = await PushRefusedAsync("bert", modelPath, missing);

        Assert.Contains($"file not found: {missing}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_ManifestNotJson_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", [1]);
        var manifestPath = folder.WriteFile("manifest.json", "task: embeddings");

        var error = await PushRefusedAsync("bert", modelPath, "--manifest", manifestPath);

        Assert.Contains("is not valid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_TwoFilesWithSameName_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var first = folder.WriteFile("a/model.onnx", [1]);
        var second = folder.WriteFile("b/model.onnx", [2]);

        await PushRefusedAsync("bert", first, second);
    }

    [Theory]
    [InlineData("models", "push", "bert")]
    [InlineData("models", "push", "bad/name", "model.onnx")]
    [InlineData("models", "push", "bert", "model.onnx", "--server", "not a url")]
    public async Task Push_BadCommandLine_ExitsWithUsageError(params string[] args)
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(args);

        Assert.Equal(2, exitCode);
    }

    [Fact]
    public async Task Push_ServerRejects_PrintsProblemDetailAndExitsWithOne()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", Onnx());
        const string Problem = """{"type":"about:blank","title":"Bad Request","status":400,"detail":"model.onnx is not an ONNX model"}""";
        await using var server = await FakeMaasServer.StartAsync(400, Problem, "application/problem+json");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", modelPath, "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains("model.onnx is not an ONNX model", cli.ErrorOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Pushed", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_NoModelFile_FailsBeforeUploadingWithServersMessage()
    {
        using var folder = new TempFolder();
        var vocab = folder.WriteFile("vocab.txt", "[PAD]\n");

        var error = await PushRefusedAsync("bert", vocab);

        Assert.Contains("The push has no model file: expected one .onnx (or .gguf) file.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_TwoOnnxFilesWithoutManifest_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var first = folder.WriteFile("encoder.onnx", Onnx());
        var second = folder.WriteFile("decoder.onnx", Onnx());

        var error = await PushRefusedAsync("bert", first, second);

        Assert.Contains("several .onnx files (encoder.onnx, decoder.onnx); name the model file in the manifest", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_TwoOnnxFilesAndManifestNamingOne_Uploads()
    {
        using var folder = new TempFolder();
        var first = folder.WriteFile("encoder.onnx", Onnx());
        var second = folder.WriteFile("decoder.onnx", [1, 2, 3]);
        var manifestPath = folder.WriteFile("manifest.json", """{"model_file":"encoder.onnx"}""");
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", first, second, "--manifest", manifestPath, "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal(2, server.Single.Files.Count);
    }

    [Fact]
    public async Task Push_CorruptOnnxFile_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", new byte[] { 0x01, 0x02, 0x03, 0xFF, 0x00, 0x42 });

        var error = await PushRefusedAsync("bert", modelPath);

        Assert.Contains("'model.onnx' is not a valid ONNX model", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_CorruptGgufFile_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("llm.gguf", "GGUF but not really");

        var error = await PushRefusedAsync("llm", modelPath);

        Assert.Contains("'llm.gguf' is not a valid GGUF file", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"task":"summarize"}""", "Task 'summarize' is not known")]
    [InlineData("""{"model_file":"other.onnx"}""", "The manifest's model file 'other.onnx' is not among the pushed files.")]
    [InlineData("""["task"]""", "The manifest must be a JSON object.")]
    public async Task Push_ManifestTheServerWouldRefuse_FailsBeforeUploading(string manifest, string message)
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", Onnx());
        var manifestPath = folder.WriteFile("manifest.json", manifest);

        var error = await PushRefusedAsync("bert", modelPath, "--manifest", manifestPath);

        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_NamesDifferingOnlyInCase_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", Onnx());
        var first = folder.WriteFile("a/vocab.txt", "x");
        var second = folder.WriteFile("b/VOCAB.txt", "y");

        var error = await PushRefusedAsync("bert", modelPath, first, second);

        Assert.Contains("two files are named 'VOCAB.txt'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_Folder_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        folder.WriteFile("model/model.onnx", Onnx());

        var error = await PushRefusedAsync("bert", Path.Combine(folder.Path, "model"));

        Assert.Contains("is a folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_InvalidAlias_ExitsWithUsageErrorBeforeUploading()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", Onnx());
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", modelPath, "--alias", "not/valid", "--server", server.Url.ToString());

        Assert.Equal(2, exitCode);
        Assert.Empty(server.Requests);
    }

    /// <summary>Runs <c>maas models push</c> with <paramref name="args"/> against a server that would accept it, checks
    /// that it failed (exit code 1) before sending anything, and returns what it printed on stderr.</summary>
    private static async Task<string> PushRefusedAsync(params string[] args)
    {
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(["models", "push", .. args, "--server", server.Url.ToString()]);

        Assert.Equal(1, exitCode);
        Assert.Empty(server.Requests);
        return cli.ErrorOutput;
    }

    /// <summary>A valid ONNX file (<c>y = x + w</c>), padded to a given size by its initializer.</summary>
    private static byte[] Onnx(int weights = 3) => new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [-1, weights])
        .AddInitializer("w", TensorDataType.Fp32, [weights], Enumerable.Range(0, weights).Select(i => (float)(i % 251)).ToArray())
        .AddOutput("y", TensorDataType.Fp32, [-1, weights])
        .AddNode("Add", ["x", "w"], ["y"])
        .ToBytes();
}
