namespace Maas.Serving.Generation;

/// <summary>One turn of a conversation: <c>system</c>, <c>user</c> or <c>assistant</c>, and its text.</summary>
public sealed record ChatMessage(string Role, string Content);
