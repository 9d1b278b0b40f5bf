using Maas.Serving.Generation.Tools;

namespace Maas.Serving.Generation;

/// <summary>One turn of a conversation: <c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>, and its text.</summary>
/// <param name="Role">The speaker.</param>
/// <param name="Content">The text; empty for an assistant turn that only calls tools.</param>
/// <param name="ToolCalls">The tools an assistant turn called, in order.</param>
/// <param name="ToolCallId">For a <c>tool</c> turn: the id of the call whose result it carries.</param>
public sealed record ChatMessage(string Role, string Content, IReadOnlyList<ChatToolCall>? ToolCalls = null, string? ToolCallId = null);
