using System.Net;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>A generation answered in one piece (no <c>stream</c>) and the tokenizer endpoints carry a Content-Length.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed class GenerationFramingTests(LlamaServerFixture fixture)
{
    [Theory]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "hi", "max_tokens": 3}""", HttpStatusCode.OK)]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llm", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}""", HttpStatusCode.OK)]
    [InlineData("/v1/models/tiny-llm/tokenize", """{"content": "hello world"}""", HttpStatusCode.OK)]
    [InlineData("/detokenize", """{"model": "tiny-llm", "tokens": [1, 2, 3]}""", HttpStatusCode.OK)]
    [InlineData("/v1/completions", """{"model": "tiny-llm", "prompt": "hi", "n": 2}""", HttpStatusCode.BadRequest)]
    public async Task JsonAnswer_HasContentLength_NotChunked(string path, string body, HttpStatusCode expected)
    {
        var status = await ResponseFraming.AssertLengthFramedJsonAsync(fixture.Client, "POST", path, body);

        Assert.Equal(expected, status);
    }
}
