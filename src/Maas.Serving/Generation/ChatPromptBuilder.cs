using System.Text;
using Maas.Core.Errors;
using Maas.Serving.Generation.Templates;
using Maas.Serving.Generation.Tools;

namespace Maas.Serving.Generation;

/// <summary>Renders a conversation into a prompt with the model's own chat template, or ChatML when it has none.</summary>
/// <remarks>
/// The fallback is ChatML: <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message, then
/// <c>&lt;|im_start|&gt;assistant\n</c>. It is used when the model file carries no <c>tokenizer.chat_template</c>,
/// when the template uses syntax this interpreter does not support, or when rendering hits such syntax.
/// <c>bos_token</c> renders as empty text because tokenizing the prompt adds BOS itself; a template that
/// writes it explicitly would otherwise start with two.
/// With tools, a template that renders <c>tools</c> gets them; one that does not (and ChatML) gets them described
/// in a system message in the Hermes syntax, and earlier calls and results written into the messages' text.
/// </remarks>
internal sealed class ChatPromptBuilder
{
    private readonly ChatTemplate? _template;
    private readonly string _eosToken;
    private readonly bool _templateRendersTools;

    public ChatPromptBuilder(string? templateSource, string eosToken)
    {
        _eosToken = eosToken;
        ToolCallFormat = ToolCallFormats.Detect(templateSource);
        if (string.IsNullOrWhiteSpace(templateSource))
        {
            return;
        }

        try
        {
            _template = ChatTemplate.Compile(templateSource);
            _templateRendersTools = ToolCallFormats.RendersTools(templateSource);
        }
        catch (TemplateSyntaxException ex)
        {
            FallbackReason = ex.Message;
            ToolCallFormat = ToolCallFormat.Hermes;
        }
    }

    /// <summary>True when the model's own template is used.</summary>
    public bool UsesModelTemplate => _template is not null;

    /// <summary>Why the model's template could not be used, if it had one.</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>The syntax the model writes tool calls in (Hermes when its template shows no family).</summary>
    public ToolCallFormat ToolCallFormat { get; }

    public string Build(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ChatTool>? tools = null)
    {
        if (messages.Count == 0)
        {
            throw MaasException.InvalidArgument("messages must contain at least one message.");
        }

        if (_template is not null)
        {
            try
            {
                return _templateRendersTools
                    ? _template.Render(messages, addGenerationPrompt: true, bosToken: string.Empty, eosToken: _eosToken, tools)
                    : _template.Render(HermesToolPrompt.Rewrite(messages, tools), addGenerationPrompt: true, bosToken: string.Empty, eosToken: _eosToken);
            }
            catch (TemplateSyntaxException ex)
            {
                FallbackReason = ex.Message;
            }
        }

        return ChatMl(HermesToolPrompt.Rewrite(messages, tools));
    }

    public static string ChatMl(IReadOnlyList<ChatMessage> messages)
    {
        var prompt = new StringBuilder();
        foreach (var message in messages)
        {
            prompt.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append("<|im_end|>\n");
        }

        return prompt.Append("<|im_start|>assistant\n").ToString();
    }
}
