using System.Text.Json;
using Maas.Core.Errors;
using Maas.Server.Protocols.OpenAi;
using Maas.Serving.Generation.Tools;

namespace Maas.UnitTests.Serving.Generation.Tools;

public sealed class OpenAiToolsReaderTests
{
    private const string Tool = """{"type": "function", "function": {"name": "get_weather", "description": "d", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}""";

    [Fact]
    public void Read_ToolsChoiceAndConversationWithCallAndResult_AllMapped()
    {
        var request = Read($$$"""
            {"model": "m", "tools": [{{{Tool}}}], "tool_choice": {"type": "function", "function": {"name": "get_weather"}}, "parallel_tool_calls": false,
             "messages": [{"role": "user", "content": "hi"},
                          {"role": "assistant", "content": null, "tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                          {"role": "tool", "tool_call_id": "call_9", "content": "cold"}]}
            """);

        var tools = request.Tools!;
        Assert.Equal(ToolChoiceMode.Named, tools.Choice);
        Assert.Equal("get_weather", tools.FunctionName);
        Assert.False(tools.ParallelToolCalls);
        Assert.Equal("d", tools.Tools[0].Description);
        Assert.Equal("object", tools.Tools[0].Parameters.GetProperty("type").GetString());
        Assert.Equal([new ChatToolCall("call_9", "get_weather", "{\"city\": \"Oslo\"}")], request.Messages![1].ToolCalls!);
        Assert.Equal(string.Empty, request.Messages[1].Content);
        Assert.Equal(("tool", "call_9", "cold"), (request.Messages[2].Role, request.Messages[2].ToolCallId, request.Messages[2].Content));
    }

    [Fact]
    public void Read_NoToolsAndNoChoice_NullAndAutoByDefault()
    {
        Assert.Null(Read("""{"model": "m", "messages": [{"role": "user", "content": "hi"}]}""").Tools);
        var tools = Read($$"""{"model": "m", "tools": [{{Tool}}], "messages": [{"role": "user", "content": "hi"}]}""").Tools!;
        Assert.Equal(ToolChoiceMode.Auto, tools.Choice);
        Assert.True(tools.ParallelToolCalls);
        Assert.True(tools.Active);
    }

    [Theory]
    [InlineData("""{"type": "function", "function": {"name": "f", "parameters": {"type": "strnig"}}}""", "tools[0].function.parameters.type")]
    [InlineData("""{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "required": "city"}}}""", "required")]
    [InlineData("""{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": 3}}}}""", "properties.a")]
    [InlineData("""{"type": "function", "function": {"name": "f", "parameters": {"type": "array"}}}""", "type 'object'")]
    [InlineData("""{"type": "function", "function": {"name": "bad name"}}""", "function.name")]
    [InlineData("""{"type": "retrieval"}""", "type")]
    public void Read_InvalidTool_InvalidArgumentNamingThePart(string tool, string named)
    {
        var error = Assert.Throws<MaasException>(() => Read($$"""{"model": "m", "tools": [{{tool}}], "messages": [{"role": "user", "content": "hi"}]}"""));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type": "function", "function": {"name": "nope"}}""", "not among 'tools'")]
    [InlineData("\"sometimes\"", "not supported")]
    [InlineData("{\"type\": \"function\"}", "tool_choice")]
    public void Read_BadToolChoice_InvalidArgument(string choice, string expected)
    {
        var error = Assert.Throws<MaasException>(() => Read($$"""{"model": "m", "tools": [{{Tool}}], "tool_choice": {{choice}}, "messages": [{"role": "user", "content": "hi"}]}"""));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RequiredWithoutTools_InvalidArgument()
    {
        Assert.Throws<MaasException>(() => Read("""{"model": "m", "tool_choice": "required", "messages": [{"role": "user", "content": "hi"}]}"""));
    }

    [Theory]
    [InlineData("""{"role": "tool", "content": "x"}""", "no 'tool_call_id'")]
    [InlineData("""{"role": "tool", "tool_call_id": "call_x", "content": "x"}""", "does not answer")]
    [InlineData("""{"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "f"}}]}""", "'id'")]
    [InlineData("""{"role": "function", "content": "x"}""", "not supported")]
    public void Read_BadToolMessages_InvalidArgument(string message, string expected)
    {
        var error = Assert.Throws<MaasException>(() => Read($$"""{"model": "m", "messages": [{"role": "user", "content": "hi"}, {{message}}]}"""));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static OpenAiGenerationRequest Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return OpenAiGenerationRequestReader.Read(document.RootElement, chat: true);
    }
}
