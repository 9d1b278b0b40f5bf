using System.Text.Json;
using Maas.Core.Errors;
using Maas.Server.Protocols.OpenAi;

namespace Maas.UnitTests.Serving.Generation;

public sealed class OpenAiGenerationRequestReaderTests
{
    [Fact]
    public void Read_FullChatRequest_AllFieldsMapped()
    {
        var request = Read("""
            {"model": "tiny@prod", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "!"}]}],
             "max_completion_tokens": 7, "temperature": 0, "top_p": 0.5, "seed": 42, "stop": ["\n", "END"], "n": 1, "presence_penalty": 0.5,
             "frequency_penalty": -0.5, "logprobs": true, "top_logprobs": 3, "user": "someone", "stream": true, "stream_options": {"include_usage": true}}
            """, chat: true);

        Assert.Equal("tiny@prod", request.Model);
        Assert.Equal(["system", "user"], request.Messages!.Select(m => m.Role));
        Assert.Equal("Hi!", request.Messages![1].Content);
        Assert.Equal(7, request.Generation.MaxTokens);
        Assert.Equal(0f, request.Generation.Sampling.Temperature);
        Assert.Equal(42u, request.Generation.Sampling.Seed);
        Assert.Equal(["\n", "END"], request.Generation.Stop);
        Assert.True(request.Generation.Logprobs);
        Assert.Equal(3, request.Generation.Sampling.TopLogprobs);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage);
    }

    [Fact]
    public void Read_CompletionPromptArrayOfOne_PromptAndIntegerLogprobs()
    {
        var request = Read("""{"model": "tiny", "prompt": ["Once upon"], "max_tokens": 5, "logprobs": 2, "stop": "."}""", chat: false);

        Assert.Equal("Once upon", request.Prompt);
        Assert.False(request.IsChat);
        Assert.Equal(2, request.Generation.Sampling.TopLogprobs);
        Assert.Equal(["."], request.Generation.Stop);
    }

    [Fact]
    public void Read_SamplingExtensions_Mapped()
    {
        var request = Read("""{"model": "tiny", "prompt": "x", "top_k": 40, "min_p": 0.05, "repetition_penalty": 1.1, "logit_bias": {"7": -100, "9": 2.5}}""", chat: false);

        var sampling = request.Generation.Sampling;
        Assert.Equal(40, sampling.TopK);
        Assert.Equal(0.05f, sampling.MinP);
        Assert.Equal(1.1f, sampling.RepetitionPenalty);
        Assert.Equal(-100f, sampling.LogitBias![7]);
        Assert.Equal(2.5f, sampling.LogitBias[9]);
    }

    [Fact]
    public void Read_TopKMinusOne_Off()
    {
        var request = Read("""{"model": "tiny", "prompt": "x", "top_k": -1}""", chat: false);

        Assert.Equal(0, request.Generation.Sampling.TopK);
        Assert.Null(request.Generation.Sampling.LogitBias);
    }

    [Theory]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "n": 2}""", "'n' must be 1")]
    [InlineData("""{"model": "tiny", "messages": []}""", "'messages'")]
    [InlineData("""{"model": "tiny", "messages": [{"role": "tool", "content": "x"}]}""", "role 'tool'")]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "stop": ["a", "b", "c", "d", "e"]}""", "at most 4")]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "temperature": 3}""", "'temperature'")]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "top_logprobs": 21, "logprobs": true}""", "'top_logprobs'")]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0}""", "'max_tokens'")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}]}""", "'model'")]
    [InlineData("""{"model": "tiny", "prompt": "x", "top_k": -2}""", "'top_k'")]
    [InlineData("""{"model": "tiny", "prompt": "x", "top_k": 1.5}""", "'top_k'")]
    [InlineData("""{"model": "tiny", "prompt": "x", "min_p": 1.5}""", "'min_p'")]
    [InlineData("""{"model": "tiny", "prompt": "x", "repetition_penalty": 0}""", "'repetition_penalty'")]
    [InlineData("""{"model": "tiny", "prompt": "x", "logit_bias": {"12": 101}}""", "'logit_bias' for token 12")]
    [InlineData("""{"model": "tiny", "prompt": "x", "logit_bias": {"abc": 1}}""", "'logit_bias' key 'abc'")]
    [InlineData("""{"model": "tiny", "prompt": "x", "logit_bias": {"-3": 1}}""", "'logit_bias' key '-3'")]
    [InlineData("""{"model": "tiny", "prompt": "x", "logit_bias": [1]}""", "'logit_bias' must be an object")]
    public void Read_InvalidChatRequest_InvalidArgumentNamingTheField(string body, string expected)
    {
        var error = Assert.Throws<MaasException>(() => Read(body, chat: true));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_CompletionPromptArrayOfTwo_InvalidArgument()
    {
        var error = Assert.Throws<MaasException>(() => Read("""{"model": "tiny", "prompt": ["a", "b"]}""", chat: false));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    private static OpenAiGenerationRequest Read(string json, bool chat)
    {
        using var document = JsonDocument.Parse(json);
        return OpenAiGenerationRequestReader.Read(document.RootElement, chat);
    }
}
