using System.ClientModel;
using System.Net;
using Maas.EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Embeddings;
using OpenAI.Models;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>The official OpenAI .NET client against <c>/v1/models</c> and <c>/v1/embeddings</c>.</summary>
[Collection(SampleServerCollection.Name)]
public sealed class OpenAiEmbeddingsTests(SampleServerFixture fixture)
{
    private OpenAIClientOptions Options => new() { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") };

    [Fact]
    public async Task OfficialClient_Embeddings_MatchV2Output()
    {
        var client = new EmbeddingClient("all-minilm-l6-v2", new ApiKeyCredential("unused"), Options);

        // The official client asks for base64 by default.
        var result = await client.GenerateEmbeddingsAsync(["hello world", "goodbye"]);

        Assert.Equal(2, result.Value.Count);
        var first = result.Value[0].ToFloats().ToArray();
        Assert.Equal(384, first.Length);
        var (_, v2) = await Json.PostAsync(fixture.Server.Client, "/v2/models/all-minilm-l6-v2/infer",
            """{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["hello world"]}]}""");
        var expected = v2.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(expected, first);
        Assert.True(result.Value.Usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task OfficialClient_ListModels_IncludesSample()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential("unused"), Options);

        var models = await client.GetModelsAsync();

        Assert.Contains(models.Value, m => m.Id == "all-minilm-l6-v2");
        var one = await client.GetModelAsync("all-minilm-l6-v2@production");
        Assert.Equal("all-minilm-l6-v2@production", one.Value.Id);
    }

    [Fact]
    public async Task Embeddings_FloatFormat_ReturnsNumbersAndUsage()
    {
        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/v1/embeddings",
            """{"model": "all-minilm-l6-v2:1", "input": "hello world", "encoding_format": "float"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal("all-minilm-l6-v2:1", body.GetProperty("model").GetString());
        var item = Assert.Single(body.GetProperty("data").EnumerateArray());
        Assert.Equal(384, item.GetProperty("embedding").GetArrayLength());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"model": "nope", "input": "x"}""", HttpStatusCode.NotFound, "not found")]
    [InlineData("""{"input": "x"}""", HttpStatusCode.BadRequest, "'model' is required")]
    [InlineData("""{"model": "all-minilm-l6-v2", "input": [1, 2, 3]}""", HttpStatusCode.BadRequest, "Token-id input")]
    [InlineData("""{"model": "all-minilm-l6-v2", "input": "x", "encoding_format": "int8"}""", HttpStatusCode.BadRequest, "encoding_format")]
    [InlineData("""{"model": "all-minilm-l6-v2", "input": "x", "dimensions": 128}""", HttpStatusCode.BadRequest, "384 dimensions")]
    [InlineData("""{"model": "all-minilm-l6-v2", "input": []}""", HttpStatusCode.BadRequest, "must not be empty")]
    [InlineData("""{"model": "all-minilm-l6-v2", "input": "x", "colour": 1}""", HttpStatusCode.BadRequest, "Unknown field")]
    [InlineData("""{"model": "all-minilm-l6-v2", "input": """, HttpStatusCode.BadRequest, "Malformed JSON")]
    public async Task Embeddings_BadRequest_ReturnsOpenAiError(string body, HttpStatusCode expectedStatus, string expectedMessage)
    {
        var (status, error) = await Json.PostAsync(fixture.Server.Client, "/v1/embeddings", body);

        Assert.Equal(expectedStatus, status);
        var detail = error.GetProperty("error");
        Assert.Contains(expectedMessage, detail.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrEmpty(detail.GetProperty("type").GetString()));
    }
}
