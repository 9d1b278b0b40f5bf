using System.Net;
using System.Net.Http.Headers;
using Maas.EndToEnd.Tests.Admin;

namespace Maas.EndToEnd.Tests.Cli;

/// <summary><c>maas models pull</c> and the file download it uses, against a real server.</summary>
public sealed class PullTests() : CliServerTestBase("maas-pull-files")
{
    private const string Model = "adder";

    [Fact]
    public async Task Pull_DefaultVersion_WritesTheStoredBytesWhichPushBackAsAnotherModel()
    {
        await Server.PushAsync(Model, [("model.onnx", AddModel.Create(1)), ("notes.txt", "first"u8.ToArray())], alias: "production");
        await Server.PushAsync(Model, AddModel.Files(2));
        var folder = Path.Combine(Files, "pulled");

        var pulled = await Cli.RunAsync("models", "pull", Model, "--output", folder);

        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        Assert.Contains($"Pulled {Model}:1", pulled.Output, StringComparison.Ordinal);
        Assert.Equal(AddModel.Create(1), await File.ReadAllBytesAsync(Path.Combine(folder, "model.onnx")));
        Assert.Equal("first", await File.ReadAllTextAsync(Path.Combine(folder, "notes.txt")));
        Assert.Equal(["model.onnx", "notes.txt"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var pushed = await Cli.RunAsync("models", "push", "my-model", Path.Combine(folder, "model.onnx"), Path.Combine(folder, "notes.txt"));
        Assert.True(pushed.ExitCode == 0, pushed.ToString());
        var (status, output, _) = await AddModel.InferAsync(Server.Client, "/v2/models/my-model/infer");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(AddModel.Expected(1), output);
    }

    [Theory]
    [InlineData("adder:2", 2f)]
    [InlineData("adder@staging", 3f)]
    public async Task Pull_VersionOrAlias_PullsThatVersion(string reference, float constant)
    {
        await Server.PushAsync(Model, AddModel.Files(1));
        await Server.PushAsync(Model, AddModel.Files(2));
        await Server.PushAsync(Model, AddModel.Files(3), alias: "staging");
        var folder = Path.Combine(Files, "v");

        var result = await Cli.RunAsync("models", "pull", reference, "-o", folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(AddModel.Create(constant), await File.ReadAllBytesAsync(Path.Combine(folder, "model.onnx")));
    }

    [Fact]
    public async Task Pull_FolderHoldsOtherContent_RefusesUnlessForced()
    {
        await Server.PushAsync(Model, AddModel.Files(1));
        var folder = Path.Combine(Files, "existing");
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, "model.onnx");
        await File.WriteAllTextAsync(target, "mine");

        var refused = await Cli.RunAsync("models", "pull", Model, "--output", folder);
        var forced = await Cli.RunAsync("models", "pull", Model, "--output", folder, "--force");
        var again = await Cli.RunAsync("models", "pull", Model, "--output", folder);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--force", refused.Error, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(AddModel.Create(1), await File.ReadAllBytesAsync(target));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("1 already there", again.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder, ".*.partial"));
    }

    [Theory]
    [InlineData("nope", "not found")]
    [InlineData("adder:9", "has no version 9")]
    [InlineData("adder@canary", "has no alias 'canary'")]
    public async Task Pull_Unknown_ExitsOneWithMessage(string reference, string message)
    {
        await Server.PushAsync(Model, AddModel.Files(1));

        var result = await Cli.RunAsync("models", "pull", reference, "--output", Path.Combine(Files, "none"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadFile_StoredFile_StreamsWithLengthDigestAndETag()
    {
        var bytes = AddModel.Create(1);
        await Server.PushAsync(Model, [("model.onnx", bytes)]);
        var sha256 = AddModel.Sha256(bytes);

        using var response = await Server.Client.GetAsync($"/api/models/{Model}/versions/1/files/model.onnx");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal(sha256, Assert.Single(response.Headers.GetValues("X-Maas-Sha256")));
        Assert.Equal($"\"{sha256}\"", response.Headers.ETag?.Tag);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/models/{Model}/versions/1/files/model.onnx");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha256}\""));
        using var notModified = await Server.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/api/models/adder/versions/1/files/vocab.txt")]
    [InlineData("/api/models/adder/versions/7/files/model.onnx")]
    [InlineData("/api/models/nope/versions/1/files/model.onnx")]
    public async Task DownloadFile_Unknown_Answers404ProblemDetails(string path)
    {
        await Server.PushAsync(Model, AddModel.Files(1));

        using var response = await Server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
