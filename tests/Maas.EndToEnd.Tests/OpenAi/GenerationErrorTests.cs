using System.Net;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>Bad generation requests get OpenAI's error shape and the right status; model references with alias or version work.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed class GenerationErrorTests(LlamaServerFixture fixture)
{
    private const string Model = LlamaServerFixture.Model;

    [Theory]
    [InlineData("/v1/chat/completions", """{"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}""", HttpStatusCode.NotFound, "not")]
    [InlineData("/v1/completions", """{"model": "no-such-model", "prompt": "hi"}""", HttpStatusCode.NotFound, "not")]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llm@no-such-alias", "messages": [{"role": "user", "content": "hi"}]}""", HttpStatusCode.NotFound, "alias")]
    [InlineData("/v1/completions", """{"model": "tiny-llm:99", "prompt": "hi"}""", HttpStatusCode.NotFound, "99")]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llm", "messages": [{"role": "user", "content": "hi"}], "n": 2}""", HttpStatusCode.BadRequest, "'n'")]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "hi", "n": 2}""", HttpStatusCode.BadRequest, "'n'")]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llm"}""", HttpStatusCode.BadRequest, "messages")]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llm", "messages": []}""", HttpStatusCode.BadRequest, "messages")]
    [InlineData("/v1/completions", """{"model": "tiny-llm"}""", HttpStatusCode.BadRequest, "prompt")]
    [InlineData("/v1/completions", """{"prompt": "hi"}""", HttpStatusCode.BadRequest, "model")]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "hi", "max_tokens": 0}""", HttpStatusCode.BadRequest, "max_tokens")]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "hi", "max_tokens": 100000}""", HttpStatusCode.BadRequest, "context")]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "hi", "temperature": 3}""", HttpStatusCode.BadRequest, "temperature")]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llm", "messages": [{"role": "tool", "content": "x"}]}""", HttpStatusCode.BadRequest, "role")]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llm", "messages": """, HttpStatusCode.BadRequest, "JSON")]
    public async Task Generation_BadRequest_ReturnsOpenAiError(string path, string body, HttpStatusCode expectedStatus, string expectedMessage)
    {
        var (status, error) = await Json.PostAsync(fixture.Client, path, body);

        Assert.Equal(expectedStatus, status);
        var detail = error.GetProperty("error");
        Assert.Contains(expectedMessage, detail.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrEmpty(detail.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task ChatCompletions_OnnxTensorModel_Returns400()
    {
        var name = $"identity-{Guid.NewGuid():N}";
        var onnx = new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, 3])
            .AddOutput("y", TensorDataType.Fp32, [-1, 3])
            .AddNode("Identity", ["x"], ["y"]);
        await fixture.Server.PushAsync(name, [("model.onnx", onnx.ToBytes())]);

        var (chatStatus, chatError) = await Json.PostAsync(fixture.Client, "/v1/chat/completions",
            $$"""{"model": "{{name}}", "messages": [{"role": "user", "content": "hi"}]}""");
        var (status, error) = await Json.PostAsync(fixture.Client, "/v1/completions", $$"""{"model": "{{name}}", "prompt": "hi"}""");

        Assert.Equal(HttpStatusCode.BadRequest, chatStatus);
        Assert.Contains("not a text-generation model", chatError.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", chatError.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a text-generation model", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tiny-llm@production")]
    [InlineData("tiny-llm:1")]
    public async Task Generation_ModelByAliasOrVersion_AnswersLikeByName(string reference)
    {
        var (_, byName) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, "hello", 16));

        var (status, body) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(reference, "hello", 16));
        var (chatStatus, chat) = await Json.PostAsync(fixture.Client, "/v1/chat/completions",
            $$"""{"model": "{{reference}}", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(reference, body.GetProperty("model").GetString());
        Assert.Equal(byName.GetProperty("choices")[0].GetProperty("text").GetString(), body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.OK, chatStatus);
        Assert.Equal(reference, chat.GetProperty("model").GetString());
        Assert.Equal("chat.completion", chat.GetProperty("object").GetString());
    }
}
