namespace Maas.Serving.Generation.Tools;

/// <summary>How a chat-template family writes tool calls in the model's output.</summary>
public enum ToolCallFormat
{
    /// <summary>Hermes / Qwen: <c>&lt;tool_call&gt;\n{"name": …, "arguments": {…}}\n&lt;/tool_call&gt;</c>, one block per call.</summary>
    Hermes,

    /// <summary>Llama 3.x: <c>{"name": …, "parameters": {…}}</c> as the whole answer, optionally after <c>&lt;|python_tag|&gt;</c>.</summary>
    Llama3Json,

    /// <summary>Mistral: <c>[TOOL_CALLS][{"name": …, "arguments": {…}}, …]</c>.</summary>
    Mistral,
}
