using Maas.Serving.Generation.Tools;

namespace Maas.UnitTests.Serving.Generation.Tools;

public sealed class ToolCallParserTests
{
    [Fact]
    public void Parse_HermesWholeText_ContentAndTwoCalls()
    {
        var (content, calls) = Whole(ToolCallFormat.Hermes,
            "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>");

        Assert.Equal("Let me check.", content);
        Assert.Equal([new("call_1", "get_weather", "{\"city\": \"Paris\"}"), new("call_2", "get_time", "{}")], calls);
    }

    [Fact]
    public void Feed_HermesInChunks_ExactOpenAiDeltas()
    {
        var deltas = Stream(ToolCallFormat.Hermes, "Hi <tool", "_call>\n{\"name\": \"f\", \"argu", "ments\": {\"a\": 1", "}}\n</tool_call>");

        Assert.Equal(["C:Hi", "S0:call_1:f", "A0:{\"a\": 1", "A0:}"], deltas);
    }

    [Fact]
    public void Feed_HermesPartialTagThatIsNotACall_HeldBackThenContent()
    {
        var deltas = Stream(ToolCallFormat.Hermes, "a <tool", "box> b");

        Assert.Equal(["C:a", "C: <toolbox> b"], deltas);
    }

    [Fact]
    public void Parse_HermesMalformedCall_StaysContent()
    {
        const string text = "<tool_call>\nnot json\n</tool_call> ok";

        var (content, calls) = Whole(ToolCallFormat.Hermes, text);

        Assert.Equal(text, content);
        Assert.Empty(calls);
    }

    [Fact]
    public void Parse_HermesCutOffBeforeTheName_StaysContent()
    {
        var (content, calls) = Whole(ToolCallFormat.Hermes, "<tool_call>\n{\"na");

        Assert.Equal("<tool_call>\n{\"na", content);
        Assert.Empty(calls);
    }

    [Fact]
    public void Parse_HermesCutOffInsideArguments_CallKeepsWhatCame()
    {
        var (content, calls) = Whole(ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": ");

        Assert.Equal(string.Empty, content);
        Assert.Equal([new("call_1", "f", "{\"a\": ")], calls);
    }

    [Fact]
    public void Parse_MistralWholeText_TwoCalls()
    {
        var (content, calls) = Whole(ToolCallFormat.Mistral,
            "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {\"x\": true}}, {\"name\": \"b\", \"arguments\": {}}]");

        Assert.Equal(string.Empty, content);
        Assert.Equal([new("call_1", "a", "{\"x\": true}"), new("call_2", "b", "{}")], calls);
    }

    [Fact]
    public void Feed_MistralInChunks_ExactOpenAiDeltas()
    {
        var deltas = Stream(ToolCallFormat.Mistral, "[TOOL_", "CALLS][{\"name\": \"a\", \"arguments\": {\"x\"", ": true}}, {\"name\": \"b\", \"arguments\": {}}]");

        Assert.Equal(["S0:call_1:a", "A0:{\"x\"", "A0:: true}", "S1:call_2:b", "A1:{}"], deltas);
    }

    [Fact]
    public void Parse_Llama3BareJson_OneCall()
    {
        var (content, calls) = Whole(ToolCallFormat.Llama3Json, " {\"name\": \"f\", \"parameters\": {\"q\": \"x\"}}");

        Assert.Equal(string.Empty, content);
        Assert.Equal([new("call_1", "f", "{\"q\": \"x\"}")], calls);
    }

    [Fact]
    public void Parse_Llama3PythonTagAndSemicolons_TwoCalls()
    {
        var (_, calls) = Whole(ToolCallFormat.Llama3Json,
            "<|python_tag|>{\"name\": \"f\", \"parameters\": {}}; {\"name\": \"g\", \"parameters\": {\"n\": 2}}");

        Assert.Equal([new("call_1", "f", "{}"), new("call_2", "g", "{\"n\": 2}")], calls);
    }

    [Fact]
    public void Parse_Llama3JsonThatIsNotACall_StaysContent()
    {
        var (content, calls) = Whole(ToolCallFormat.Llama3Json, "{\"answer\": 42}");

        Assert.Equal("{\"answer\": 42}", content);
        Assert.Empty(calls);
    }

    [Fact]
    public void Parse_Llama3JsonAfterText_StaysContent()
    {
        const string text = "Sure: {\"name\": \"f\", \"parameters\": {}}";

        var (content, calls) = Whole(ToolCallFormat.Llama3Json, text);

        Assert.Equal(text, content);
        Assert.Empty(calls);
    }

    [Fact]
    public void Feed_Llama3ArgumentsBeforeName_WholeCallOnceObjectEnds()
    {
        var deltas = Stream(ToolCallFormat.Llama3Json, "{\"parameters\": {\"a\"", ": 1}, \"name\": \"f\"", "}");

        Assert.Equal(["S0:call_1:f", "A0:{\"a\": 1}"], deltas);
    }

    [Fact]
    public void Feed_PlainText_PassesThroughUnchangedWithTrailingBlanks()
    {
        var deltas = Stream(ToolCallFormat.Hermes, "Hello ", "world\n");

        Assert.Equal("Hello world\n", string.Concat(deltas.Select(d => d[2..])));
        Assert.Equal(["C:Hello", "C: world", "C:\n"], deltas);
    }

    [Theory]
    [InlineData(ToolCallFormat.Hermes, "Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris \\\"x\\\"\", \"days\": [1, 2.5e3, -3], \"ok\": null}}\n</tool_call>\n<tool_call>{\"arguments\": {}, \"name\": \"t\"}</tool_call> done")]
    [InlineData(ToolCallFormat.Mistral, "x [TOOL_CALLS] [ {\"name\": \"a\", \"arguments\": {\"k\": {\"n\": [true, false]}}} , {\"name\": \"b\", \"arguments\": {}} ] tail")]
    [InlineData(ToolCallFormat.Llama3Json, "{\"name\": \"f\", \"parameters\": {\"s\": \"a}b{\", \"n\": 10}} ; {\"name\": \"g\", \"parameters\": {}}")]
    public void Feed_OneCharacterAtATime_SameAsWholeText(ToolCallFormat format, string text)
    {
        var whole = Whole(format, text);

        var streamed = Merge(format, text.Select(c => c.ToString()).ToArray());

        Assert.Equal(whole.Content, streamed.Content);
        Assert.Equal(whole.Calls, streamed.Calls);
        Assert.NotEmpty(whole.Calls);
        Assert.All(whole.Calls, c => System.Text.Json.JsonDocument.Parse(c.Arguments).Dispose());
    }

    private static (string Content, IReadOnlyList<ChatToolCall> Calls) Whole(ToolCallFormat format, string text) => Merge(format, text);

    private static (string Content, IReadOnlyList<ChatToolCall> Calls) Merge(ToolCallFormat format, params string[] chunks)
    {
        var ids = 0;
        var parser = new ToolCallParser(format, () => $"call_{++ids}");
        var deltas = new List<ToolCallDelta>();
        foreach (var chunk in chunks)
        {
            parser.Feed(chunk, deltas);
        }

        parser.Finish(deltas);
        return ToolCallParser.Merge(deltas);
    }

    /// <summary>Deltas as <c>C:text</c>, <c>S{index}:{id}:{name}</c> (a call's first piece, empty arguments) and <c>A{index}:fragment</c>.</summary>
    private static List<string> Stream(ToolCallFormat format, params string[] chunks)
    {
        var ids = 0;
        var parser = new ToolCallParser(format, () => $"call_{++ids}");
        var deltas = new List<ToolCallDelta>();
        foreach (var chunk in chunks)
        {
            parser.Feed(chunk, deltas);
        }

        parser.Finish(deltas);
        return deltas.Select(d => d.IsContent ? "C:" + d.Content
            : d.Id is not null ? $"S{d.Index}:{d.Id}:{d.Name}" + (d.Arguments!.Length > 0 ? "!" : string.Empty)
            : $"A{d.Index}:{d.Arguments}").ToList();
    }
}
