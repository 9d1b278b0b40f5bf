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
        var model = Enumerable.Range(0, 300_000).Select(i => (byte)(i % 251)).ToArray();
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
        var modelPath = folder.WriteFile("model.onnx", [1, 2, 3]);
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
        var modelPath = folder.WriteFile("model.onnx", [1, 2, 3]);
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        await cli.RunAsync("models", "push", "bert", modelPath, "--server", server.Url.ToString());

        Assert.Contains("Uploading 1 file to bert (3 B)", cli.Output, StringComparison.Ordinal);
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
        var content = new byte[100_000];
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
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", modelPath, missing, "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains($"file not found: {missing}", cli.ErrorOutput, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Push_ManifestNotJson_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var modelPath = folder.WriteFile("model.onnx", [1]);
        var manifestPath = folder.WriteFile("manifest.json", "task: embeddings");
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", modelPath, "--manifest", manifestPath, "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains("is not valid JSON", cli.ErrorOutput, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Push_TwoFilesWithSameName_FailsBeforeUploading()
    {
        using var folder = new TempFolder();
        var first = folder.WriteFile("a/model.onnx", [1]);
        var second = folder.WriteFile("b/model.onnx", [2]);
        await using var server = await FakeMaasServer.StartAsync(201, CreatedVersion);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", first, second, "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Empty(server.Requests);
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
        var modelPath = folder.WriteFile("model.onnx", [1]);
        const string Problem = """{"type":"about:blank","title":"Bad Request","status":400,"detail":"model.onnx is not an ONNX model"}""";
        await using var server = await FakeMaasServer.StartAsync(400, Problem, "application/problem+json");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "push", "bert", modelPath, "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains("model.onnx is not an ONNX model", cli.ErrorOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Pushed", cli.Output, StringComparison.Ordinal);
    }
}
