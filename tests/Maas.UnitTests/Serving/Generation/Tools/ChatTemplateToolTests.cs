using System.Text.Json;
using Maas.Serving.Generation;
using Maas.Serving.Generation.Templates;
using Maas.Serving.Generation.Tools;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Serving.Generation.Tools;

public sealed class ChatTemplateToolTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 15, 4, 5, TimeSpan.Zero);

    private static readonly ChatTool Weather = new("get_weather", "Weather now", Json("""{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}"""));

    private static readonly ChatMessage[] Turns =
    [
        new("system", "Be brief."),
        new("user", "Weather in Paris?"),
        new("assistant", string.Empty, [new ChatToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")]),
        new("tool", "18C", ToolCallId: "call_1"),
    ];

    [Fact]
    public void Render_MacroWithDefaultsAndKeywords_ReturnsBody()
    {
        var text = Render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('a') }} {{ greet('b', punct='?') }}");

        Assert.Equal("Hi a! Hi b?", text);
    }

    [Fact]
    public void Render_CallBlock_CallerRendersBody()
    {
        var text = Render("{% macro box(tag) %}[{{ tag }}]{{ caller() }}[/{{ tag }}]{% endmacro %}{% call box('T') %}{{ messages[0].content }}{% endcall %}");

        Assert.Equal("[T]Be brief.[/T]", text);
    }

    [Fact]
    public void Render_NamespaceBreakAndContinue_LoopControlled()
    {
        var text = Render("{% set ns = namespace(n=0) %}{% for i in range(10) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% set ns.n = ns.n + 1 %}{% endfor %}={{ ns.n }}");

        Assert.Equal("023=3", text);
    }

    [Fact]
    public void Render_StrftimeNow_FormatsTheInjectedClock()
    {
        Assert.Equal("03 Dec 2026 15:04 Thursday", Render("{{ strftime_now('%d %b %Y %H:%M %A') }}"));
    }

    [Fact]
    public void Render_TojsonWithIndent_PythonLayoutAndNoEscaping()
    {
        var text = Render("{{ {'a': [1, 2.0], 'b': {}, 'c': '<tool_call> é \"q\"\n'} | tojson(indent=2) }}|{{ [1, 'x'] | tojson }}");

        Assert.Equal("{\n  \"a\": [\n    1,\n    2.0\n  ],\n  \"b\": {},\n  \"c\": \"<tool_call> é \\\"q\\\"\\n\"\n}|[1, \"x\"]", text);
    }

    [Fact]
    public void Render_SelectattrMapAndTests_FiltersMessages()
    {
        var text = Render("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|{{ messages | rejectattr('tool_calls') | list | length }}|{{ messages[2].tool_calls[0].function.arguments is mapping }}|{{ 6 is divisibleby(3) }}");

        Assert.Equal("Weather in Paris?|3|True|True", text);
    }

    [Fact]
    public void Render_SetBlock_CapturesText()
    {
        Assert.Equal("<x>|<x>", Render("{% set t %}<{{ 'x' }}>{% endset %}{{ t }}|{{ t }}"));
    }

    [Fact]
    public void Render_HermesTemplate_ToolsCallsAndResults()
    {
        var text = ChatTemplate.Compile(ToolTemplates.Hermes).Render(Turns, true, string.Empty, "</s>", [Weather], Now);

        Assert.Equal(
            "<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n<tools>\n"
            + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather now\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}"
            + "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n"
            + "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
            + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n"
            + "<|im_start|>user\n<tool_response>\n18C\n</tool_response><|im_end|>\n"
            + "<|im_start|>assistant\n",
            text);
    }

    [Fact]
    public void Render_Llama3Template_DateIndentedToolsAndIpython()
    {
        var text = ChatTemplate.Compile(ToolTemplates.Llama3).Render(Turns, true, string.Empty, "<|eot_id|>", [Weather], Now);

        Assert.StartsWith("<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 03 Dec 2026\n\nBe brief.<|eot_id|>", text);
        Assert.Contains("{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"get_weather\",", text);
        Assert.Contains("<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eot_id|>", text);
        Assert.EndsWith("<|start_header_id|>ipython<|end_header_id|>\n\n18C<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", text);
    }

    [Fact]
    public void Render_MistralTemplate_AvailableToolsBeforeLastUserAndResults()
    {
        var text = ChatTemplate.Compile(ToolTemplates.Mistral).Render(Turns, true, string.Empty, "</s>", [Weather], Now);

        Assert.Equal(
            "[AVAILABLE_TOOLS][{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather now\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}][/AVAILABLE_TOOLS]"
            + "[INST]Be brief.\n\nWeather in Paris?[/INST]"
            + "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"call_1\"}]</s>"
            + "[TOOL_RESULTS]{\"call_id\": \"call_1\", \"content\": \"18C\"}[/TOOL_RESULTS]",
            text);
    }

    [Theory]
    [InlineData(ToolTemplates.Hermes, ToolCallFormat.Hermes)]
    [InlineData(ToolTemplates.Llama3, ToolCallFormat.Llama3Json)]
    [InlineData(ToolTemplates.Mistral, ToolCallFormat.Mistral)]
    [InlineData("{% for m in messages %}{{ m.content }}{% endfor %}", ToolCallFormat.Hermes)]
    public void Detect_FamilyTemplates_TheirFormat(string template, ToolCallFormat expected)
    {
        Assert.Equal(expected, ToolCallFormats.Detect(template));
    }

    [Fact]
    public void Build_TemplateWithoutTools_ToolsInHermesSystemMessageAndCallsInText()
    {
        var builder = new ChatPromptBuilder(null, "</s>");

        var prompt = builder.Build(Turns, [Weather]);

        Assert.StartsWith("<|im_start|>system\nBe brief.\n\nYou may call one or more functions", prompt);
        Assert.Contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"", prompt);
        Assert.Contains("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}\n</tool_call><|im_end|>", prompt);
        Assert.Contains("<|im_start|>user\n<tool_response>\n18C\n</tool_response><|im_end|>", prompt);
    }

    private static string Render(string template) =>
        ChatTemplate.Compile(template).Render(Turns, false, string.Empty, "</s>", null, Now);

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
