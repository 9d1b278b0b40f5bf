using Maas.Core.Errors;
using Maas.Serving.Generation;
using Maas.Serving.Generation.Templates;

namespace Maas.UnitTests.Serving.Generation;

public sealed class ChatTemplateTests
{
    private static readonly ChatMessage[] Conversation =
    [
        new("system", "Be brief."),
        new("user", "Hi there"),
        new("assistant", "Hello!"),
        new("user", "What is 2+2?"),
    ];

    private const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private const string Llama3Template =
        "{% set loop_messages = messages %}{% for message in loop_messages %}" +
        "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}" +
        "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    private const string Llama2Template =
        "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}" +
        "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}" +
        "{% for message in loop_messages %}" +
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
        "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}" +
        "{% else %}{% set content = message['content'] %}{% endif %}" +
        "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}" +
        "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    private const string ZephyrLikeTemplate = """
        {%- for message in messages %}
            {%- if message.role == 'system' %}
                {{- '<|system|>\n' + message.content + eos_token }}
            {%- elif message.role == 'user' %}
                {{- '<|user|>\n' + message.content + eos_token }}
            {%- else %}
                {{- '<|assistant|>\n' + message.content + eos_token }}
            {%- endif %}
            {%- if loop.last and add_generation_prompt %}
                {{- '<|assistant|>' }}
            {%- endif %}
        {%- endfor %}
        """;

    [Fact]
    public void Render_ChatMlTemplate_MatchesChatMlFallback()
    {
        var rendered = ChatTemplate.Compile(ChatMlTemplate).Render(Conversation, true, "<s>", "</s>");

        Assert.Equal(ChatPromptBuilder.ChatMl(Conversation), rendered);
        Assert.StartsWith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n", rendered);
    }

    [Fact]
    public void Render_Llama3Template_HeadersBosOnFirstAndGenerationPrompt()
    {
        var rendered = ChatTemplate.Compile(Llama3Template).Render([new("system", " Be brief. "), new("user", "Hi")], true, "<|begin_of_text|>", "<|eot_id|>");

        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            rendered);
    }

    [Fact]
    public void Render_Llama2Template_SystemFoldedIntoFirstUserTurn()
    {
        var rendered = ChatTemplate.Compile(Llama2Template).Render(Conversation, true, "<s>", "</s>");

        Assert.Equal("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi there [/INST] Hello! </s><s>[INST] What is 2+2? [/INST]", rendered);
    }

    [Fact]
    public void Render_Llama2TemplateRolesOutOfOrder_RaiseExceptionBecomesInvalidArgument()
    {
        var template = ChatTemplate.Compile(Llama2Template);

        var error = Assert.Throws<MaasException>(() => template.Render([new("user", "a"), new("user", "b")], true, "<s>", "</s>"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("must alternate", error.Message);
    }

    [Fact]
    public void Render_WhitespaceControlMarkers_StripIndentationAndNewlines()
    {
        var rendered = ChatTemplate.Compile(ZephyrLikeTemplate).Render([new("system", "S"), new("user", "U")], true, "<s>", "</s>");

        Assert.Equal("<|system|>\nS</s><|user|>\nU</s><|assistant|>", rendered);
    }

    [Fact]
    public void Render_StatementOnItsOwnLine_NewlineAfterItTrimmed()
    {
        const string template = "{% for m in messages %}\n  {{ m.role }}: {{ m.content }}\n{% endfor %}\n";

        var rendered = ChatTemplate.Compile(template).Render([new("user", "hi"), new("assistant", "yo")], false, "", "");

        Assert.Equal("  user: hi\n  assistant: yo\n", rendered);
    }

    [Fact]
    public void Render_NamespaceSetInsideLoop_VisibleAfterLoop()
    {
        const string template = "{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% if m.role == 'system' %}{% set ns.found = true %}{% endif %}" +
            "{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.found }} {{ ns.n }} {{ messages | length }} {{ messages[-1].content | upper }}" +
            "{% for m in messages if m.role != 'system' %}{{ '|' ~ loop.index ~ m.role }}{% endfor %}";

        var rendered = ChatTemplate.Compile(template).Render(Conversation, false, "", "");

        Assert.Equal("True 4 4 WHAT IS 2+2?|1user|2assistant|3user", rendered);
    }

    [Fact]
    public void Render_UndefinedVariableAndDefinedTest_RendersEmptyAndFalse()
    {
        const string template = "[{{ nothing }}]{% if tools is defined %}tools{% else %}none{% endif %}{{ messages[0].missing is defined }}";

        var rendered = ChatTemplate.Compile(template).Render(Conversation, false, "", "");

        Assert.Equal("[]noneFalse", rendered);
    }

    [Theory]
    [InlineData("{% filter upper %}{{ x }}{% endfilter %}")]
    [InlineData("{% for m in messages %}{{ m.content }}")]
    [InlineData("{{ messages[0]['content'] ")]
    public void Build_UnsupportedOrBrokenTemplate_FallsBackToChatMl(string template)
    {
        var builder = new ChatPromptBuilder(template, "</s>");

        var prompt = builder.Build(Conversation);

        Assert.Equal(ChatPromptBuilder.ChatMl(Conversation), prompt);
        Assert.False(builder.UsesModelTemplate);
        Assert.NotNull(builder.FallbackReason);
    }

    [Fact]
    public void Build_NoTemplate_ChatMlEndingWithAssistantTurn()
    {
        var prompt = new ChatPromptBuilder(null, "</s>").Build([new("user", "Hi")]);

        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public void Build_ModelTemplate_UsesItWithEmptyBosToken()
    {
        var builder = new ChatPromptBuilder(Llama3Template, "<|eot_id|>");

        var prompt = builder.Build([new("user", "Hi")]);

        Assert.True(builder.UsesModelTemplate);
        Assert.Equal("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", prompt);
    }
}
