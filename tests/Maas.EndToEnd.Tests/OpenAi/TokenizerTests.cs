using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary><c>/v1/models/{model}/tokenize</c>, <c>/detokenize</c>, llama-server's <c>/tokenize</c> and <c>/detokenize</c>,
/// chat token counts without generating, and the sampling extensions' errors over HTTP.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed class TokenizerTests(LlamaServerFixture fixture)
{
    private const string Model = LlamaServerFixture.Model;

    private static int[] Tokens(JsonElement body) => body.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();

    [Fact]
    public async Task Tokenize_ModelRouteWithAddSpecial_SameTokensAsTheModel()
    {
        var (status, body) = await Json.PostAsync(fixture.Client, $"/v1/models/{Model}/tokenize", """{"content": "hello world", "add_special": true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var expected = fixture.Tokenize("hello world", addSpecialTokens: true);
        Assert.Equal(expected, Tokens(body));
        Assert.Equal(expected.Count, body.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Tokenize_LlamaServerRoute_NoSpecialTokensByDefault()
    {
        var (status, body) = await Json.PostAsync(fixture.Client, "/tokenize", $$"""{"model": "{{Model}}@{{LlamaServerFixture.Alias}}", "content": "the model is a test"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(fixture.Tokenize("the model is a test", addSpecialTokens: false), Tokens(body));
    }

    [Fact]
    public async Task Detokenize_TokensOfText_GivesTheTextBack()
    {
        var tokens = fixture.Tokenize("one two three", addSpecialTokens: false);

        var (status, body) = await Json.PostAsync(fixture.Client, "/detokenize", $$"""{"model": "{{Model}}", "tokens": [{{string.Join(",", tokens)}}]}""");
        var (pathStatus, pathBody) = await Json.PostAsync(fixture.Client, $"/v1/models/{Model}/detokenize", $$"""{"tokens": [{{string.Join(",", tokens)}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("one two three", body.GetProperty("content").GetString());
        Assert.Equal(HttpStatusCode.OK, pathStatus);
        Assert.Equal("one two three", pathBody.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Tokenize_ChatMessages_CountsThePromptAChatCompletionUses()
    {
        const string messages = """[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a test?"}]""";

        var (status, counted) = await Json.PostAsync(fixture.Client, $"/v1/models/{Model}/tokenize", $$"""{"messages": {{messages}}}""");
        var (chatStatus, chat) = await Json.PostAsync(fixture.Client, "/v1/chat/completions", $$"""{"model": "{{Model}}", "messages": {{messages}}, "max_tokens": 1}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, chatStatus);
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), counted.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("/detokenize", """{"model": "tiny-llm", "tokens": [999999]}""", HttpStatusCode.BadRequest, "not in the model's vocabulary")]
    [InlineData("/detokenize", """{"model": "tiny-llm", "tokens": ["a"]}""", HttpStatusCode.BadRequest, "integer token ids")]
    [InlineData("/tokenize", """{"model": "tiny-llm"}""", HttpStatusCode.BadRequest, "'content'")]
    [InlineData("/tokenize", """{"content": "x"}""", HttpStatusCode.BadRequest, "'model'")]
    [InlineData("/tokenize", """{"model": "tiny-llm", "content": "x", "add_special": 1}""", HttpStatusCode.BadRequest, "'add_special'")]
    [InlineData("/v1/models/no-such-model/tokenize", """{"content": "x"}""", HttpStatusCode.NotFound, "no-such-model")]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "x", "logit_bias": {"999999": -100}}""", HttpStatusCode.BadRequest, "logit_bias names token 999999")]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "x", "top_k": -5}""", HttpStatusCode.BadRequest, "'top_k'")]
    public async Task Endpoint_BadInput_OpenAiErrorShape(string path, string json, HttpStatusCode expected, string message)
    {
        var (status, body) = await Json.PostAsync(fixture.Client, path, json);

        Assert.Equal(expected, status);
        Assert.Contains(message, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_SamplingExtensions_GenerateWithSeedReproducibly()
    {
        const string json = """{"model": "tiny-llm", "prompt": "the model", "max_tokens": 8, "temperature": 1, "seed": 5, "top_k": 20, "top_p": 0.9, "min_p": 0.01, "repetition_penalty": 1.2, "logit_bias": {"3": -100}}""";

        var (status, first) = await Json.PostAsync(fixture.Client, "/v1/completions", json);
        var (_, second) = await Json.PostAsync(fixture.Client, "/v1/completions", json);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(8, first.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(first.GetProperty("choices")[0].GetProperty("text").GetString(), second.GetProperty("choices")[0].GetProperty("text").GetString());
    }
}
