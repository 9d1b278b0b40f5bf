using System.Text.Json;
using Maas.Core.Errors;
using Maas.Serving.Generation.Tools;

namespace Maas.UnitTests.Serving.Generation.Tools;

public sealed class ToolCallGrammarTests
{
    private static readonly ChatTool Weather = new("get_weather", null,
        Json("""{"type": "object", "properties": {"unit": {"enum": ["c", "f"]}, "days": {"type": "integer"}}, "required": ["unit", "days"], "additionalProperties": false}"""));

    private static readonly ChatTool Time = new("get_time", null, Json("""{"type": "object", "properties": {}}"""));

    [Theory]
    [InlineData(ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"unit\": \"c\", \"days\": 3}}\n</tool_call>")]
    [InlineData(ToolCallFormat.Llama3Json, "{\"name\": \"get_time\", \"parameters\": {}}")]
    [InlineData(ToolCallFormat.Mistral, "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"unit\":\"f\",\"days\":-1}}]")]
    public void Build_Required_AcceptsOneCallThatParses(ToolCallFormat format, string output)
    {
        var grammar = ToolCallGrammar.Build(format, new ChatToolOptions([Weather, Time], ToolChoiceMode.Required, null, ParallelToolCalls: false));

        Assert.True(grammar.Matches(output), ToolCallGrammar.ToGbnf(format, new ChatToolOptions([Weather, Time], ToolChoiceMode.Required, null, false)));
        var parser = new ToolCallParser(format);
        var deltas = new List<ToolCallDelta>();
        parser.Feed(output, deltas);
        parser.Finish(deltas);
        Assert.Single(ToolCallParser.Merge(deltas).Calls);
    }

    [Theory]
    [InlineData(ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"unit\": \"k\", \"days\": 3}}\n</tool_call>")]
    [InlineData(ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"unit\": \"c\"}}\n</tool_call>")]
    [InlineData(ToolCallFormat.Hermes, "Sure <tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>")]
    [InlineData(ToolCallFormat.Llama3Json, "{\"name\": \"get_time\", \"arguments\": {}}")]
    [InlineData(ToolCallFormat.Mistral, "[TOOL_CALLS][{\"name\": \"other\", \"arguments\": {}}]")]
    public void Build_Required_RejectsWhatBreaksSchemaOrSyntax(ToolCallFormat format, string output)
    {
        var grammar = ToolCallGrammar.Build(format, new ChatToolOptions([Weather, Time], ToolChoiceMode.Required, null, false));

        Assert.False(grammar.Matches(output));
    }

    [Fact]
    public void Build_Named_OnlyThatFunction()
    {
        var grammar = ToolCallGrammar.Build(ToolCallFormat.Hermes, new ChatToolOptions([Weather, Time], ToolChoiceMode.Named, "get_time", false));

        Assert.True(grammar.Matches("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>"));
        Assert.False(grammar.Matches("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"unit\": \"c\", \"days\": 3}}\n</tool_call>"));
    }

    [Theory]
    [InlineData(ToolCallFormat.Hermes, true, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>")]
    [InlineData(ToolCallFormat.Hermes, false, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>")]
    [InlineData(ToolCallFormat.Mistral, true, "[TOOL_CALLS][{\"name\": \"get_time\", \"arguments\": {}}, {\"name\": \"get_time\", \"arguments\": {}}]")]
    [InlineData(ToolCallFormat.Llama3Json, true, "{\"name\": \"get_time\", \"parameters\": {}}; {\"name\": \"get_time\", \"parameters\": {}}")]
    public void Build_ParallelToolCalls_TwoCallsOnlyWhenAllowed(ToolCallFormat format, bool parallel, string output)
    {
        var grammar = ToolCallGrammar.Build(format, new ChatToolOptions([Time], ToolChoiceMode.Required, null, parallel));

        Assert.Equal(parallel, grammar.Matches(output));
    }

    [Fact]
    public void Build_UnsupportedSchemaFeature_InvalidArgumentNamingIt()
    {
        var tool = new ChatTool("f", null, Json("""{"type": "object", "properties": {"s": {"type": "string", "pattern": "^a"}}}"""));

        var error = Assert.Throws<MaasException>(() => ToolCallGrammar.Build(ToolCallFormat.Hermes, new ChatToolOptions([tool], ToolChoiceMode.Required, null, false)));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("pattern", error.Message, StringComparison.Ordinal);
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
