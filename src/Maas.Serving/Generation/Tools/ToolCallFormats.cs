namespace Maas.Serving.Generation.Tools;

/// <summary>Tells a model's tool-call family from its chat template.</summary>
/// <remarks>
/// The markers each family's templates write decide: <c>[TOOL_CALLS]</c> is Mistral, <c>&lt;tool_call&gt;</c> is
/// Hermes/Qwen, <c>&lt;|python_tag|&gt;</c> or Llama 3 headers is Llama 3.x JSON. A template with none of them (or no
/// template) gets the Hermes syntax, which is then also described to the model in a system message.
/// </remarks>
public static class ToolCallFormats
{
    /// <summary>The family of <paramref name="chatTemplate"/>.</summary>
    public static ToolCallFormat Detect(string? chatTemplate)
    {
        if (string.IsNullOrEmpty(chatTemplate))
        {
            return ToolCallFormat.Hermes;
        }

        if (chatTemplate.Contains("[TOOL_CALLS]", StringComparison.Ordinal))
        {
            return ToolCallFormat.Mistral;
        }

        if (chatTemplate.Contains("<tool_call>", StringComparison.Ordinal))
        {
            return ToolCallFormat.Hermes;
        }

        return chatTemplate.Contains("<|python_tag|>", StringComparison.Ordinal)
            || (chatTemplate.Contains("<|start_header_id|>", StringComparison.Ordinal) && RendersTools(chatTemplate))
            ? ToolCallFormat.Llama3Json
            : ToolCallFormat.Hermes;
    }

    /// <summary>Whether the template shows the model its <c>tools</c> variable at all.</summary>
    public static bool RendersTools(string? chatTemplate) =>
        chatTemplate is not null && System.Text.RegularExpressions.Regex.IsMatch(chatTemplate, @"\btools\b");
}
