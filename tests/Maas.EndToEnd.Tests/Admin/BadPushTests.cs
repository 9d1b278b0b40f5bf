using System.Net;
using System.Text;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>Bad admin requests: each is a clear 4xx problem-details answer, nothing is stored, and the server keeps serving.</summary>
public sealed class BadPushTests
{
    private const string Model = "adder";

    [Theory]
    [InlineData("no-files", "no files")]
    [InlineData("corrupt-onnx", "not a valid ONNX model")]
    [InlineData("bad-manifest", "manifest is not valid JSON")]
    [InlineData("path-traversal", "not allowed")]
    [InlineData("not-multipart", "multipart/form-data")]
    [InlineData("unknown-task", "not known")]
    [InlineData("duplicate-file", "more than once")]
    [InlineData("unknown-field", "Unknown multipart field")]
    [InlineData("bad-alias", "Alias")]
    [InlineData("no-model-file", "no model file")]
    [InlineData("encoded-traversal", "not allowed")]
    public async Task Push_BadRequest_Returns400AndStoresNothing(string kind, string expected)
    {
        await using var server = await MaasTestServer.StartAsync();
        var good = AddModel.Create(1);
        await server.PushAsync(Model, [("model.onnx", good)]);

        using var content = BadContent(kind);
        using var response = await server.Client.PostAsync($"/api/models/{Model}/versions", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, expected);
        await server.AssertLiveAsync();
        var (_, details) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.Equal([1], details.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal([AddModel.Sha256(good)], AddModel.BlobsOnDisk(server.DataDirectory));
        Assert.Empty(AddModel.EntriesIn(server.DataDirectory, "uploads"));
        Assert.Empty(AddModel.EntriesIn(server.DataDirectory, Path.Combine("artifacts", "tmp")));
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/infer")).Output);
    }

    [Theory]
    [InlineData("Bad%20Name!")]
    [InlineData("-starts-with-dash")]
    [InlineData("name%2Fwith%2Fslashes")]
    public async Task Push_InvalidModelName_Returns400AndCreatesNoModel(string name)
    {
        await using var server = await MaasTestServer.StartAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(AddModel.Create(1)), "file", "model.onnx" } };

        using var response = await server.Client.PostAsync($"/api/models/{name}/versions", form);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "not valid");
        await server.AssertLiveAsync();
        Assert.Equal(0, (await AddModel.ListModelsAsync(server.Client)).GetArrayLength());
        Assert.Empty(AddModel.BlobsOnDisk(server.DataDirectory));
    }

    [Fact]
    public async Task Push_FieldOverOneMiB_Returns413AndStoresNothing()
    {
        await using var server = await MaasTestServer.StartAsync();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(AddModel.Create(1)), "file", "model.onnx" },
            { new StringContent(new string('d', 2 * 1024 * 1024)), "description" },
        };

        using var response = await server.Client.PostAsync($"/api/models/{Model}/versions", form);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "1 MiB");
        Assert.Equal(0, (await AddModel.ListModelsAsync(server.Client)).GetArrayLength());
        Assert.Empty(AddModel.BlobsOnDisk(server.DataDirectory));
        Assert.Empty(AddModel.EntriesIn(server.DataDirectory, "uploads"));
    }

    [Fact]
    public async Task GetModel_Unknown_Returns404Problem()
    {
        await using var server = await MaasTestServer.StartAsync();

        using var response = await server.Client.GetAsync("/api/models/x");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "'x'");
    }

    [Fact]
    public async Task SetAlias_MissingVersion_Returns404AndLeavesAliasesAlone()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1), alias: "production");

        using var body = new StringContent("{\"version\": 9}", Encoding.UTF8, "application/json");
        using var response = await server.Client.PutAsync($"/api/models/{Model}/aliases/production", body);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "9");
        var (_, details) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.Equal(1, details.GetProperty("aliases").GetProperty("production").GetInt32());
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/infer")).Output);
    }

    [Theory]
    [InlineData("DELETE", "/api/models/adder/versions/5")]
    [InlineData("DELETE", "/api/models/adder/aliases/nope")]
    [InlineData("DELETE", "/api/models/missing/versions/1")]
    [InlineData("PUT", "/api/models/missing/aliases/production")]
    public async Task Change_UnknownTarget_Returns404Problem(string method, string path)
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PUT")
        {
            request.Content = new StringContent("{\"version\": 1}", Encoding.UTF8, "application/json");
        }

        using var response = await server.Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, string.Empty);
        var (_, details) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.Equal(1, details.GetProperty("versions").GetArrayLength());
    }

    [Theory]
    [InlineData("{\"version\": \"one\"}")]
    [InlineData("{\"version\": 1")]
    [InlineData("null")]
    public async Task SetAlias_MalformedBody_Returns400(string body)
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(Model, AddModel.Files(1));

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await server.Client.PutAsync($"/api/models/{Model}/aliases/production", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, string.Empty);
        var (_, details) = await Json.GetAsync(server.Client, $"/api/models/{Model}");
        Assert.Empty(details.GetProperty("aliases").EnumerateObject());
    }

    private static HttpContent BadContent(string kind)
    {
        var good = AddModel.Create(5);
        switch (kind)
        {
            case "no-files":
                return new MultipartFormDataContent { { new StringContent("production"), "alias" } };
            case "corrupt-onnx":
                var random = new byte[4096];
                new Random(42).NextBytes(random);
                return new MultipartFormDataContent { { new ByteArrayContent(random), "file", "model.onnx" } };
            case "bad-manifest":
                return new MultipartFormDataContent
                {
                    { new ByteArrayContent(good), "file", "model.onnx" },
                    { new StringContent("{\"task\": ", Encoding.UTF8, "application/json"), "manifest" },
                };
            case "path-traversal":
                return new MultipartFormDataContent { { new ByteArrayContent(good), "file", "../../evil.onnx" } };
            case "not-multipart":
                return new StringContent("{\"file\": \"model.onnx\"}", Encoding.UTF8, "application/json");
            case "unknown-task":
                return new MultipartFormDataContent
                {
                    { new ByteArrayContent(good), "file", "model.onnx" },
                    { new StringContent("{\"task\": \"teleport\"}", Encoding.UTF8, "application/json"), "manifest" },
                };
            case "duplicate-file":
                return new MultipartFormDataContent
                {
                    { new ByteArrayContent(good), "file", "model.onnx" },
                    { new ByteArrayContent(good), "file", "model.onnx" },
                };
            case "unknown-field":
                return new MultipartFormDataContent
                {
                    { new ByteArrayContent(good), "file", "model.onnx" },
                    { new StringContent("x"), "colour" },
                };
            case "bad-alias":
                return new MultipartFormDataContent
                {
                    { new ByteArrayContent(good), "file", "model.onnx" },
                    { new StringContent("no way!"), "alias" },
                };
            case "no-model-file":
                return new MultipartFormDataContent { { new ByteArrayContent(good), "file", "notes.txt" } };
            case "encoded-traversal":
                var part = new ByteArrayContent(good);
                part.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"file\"; filename*=UTF-8''..%2F..%2Fevil.onnx");
                var form = new MultipartFormDataContent();
                form.Add(part);
                return form;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string detailContains)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        var root = problem.RootElement;
        Assert.Equal((int)expected, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        var detail = root.GetProperty("detail").GetString() ?? string.Empty;
        Assert.Contains(detailContains, detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", detail, StringComparison.Ordinal);
    }
}
