namespace Maas.Serving.Generation.Tools;

/// <summary>A piece of a chat answer as OpenAI streams it: content text, the start of a tool call, or more of a call's arguments.</summary>
/// <param name="Content">Content text; null for a tool-call piece.</param>
/// <param name="Index">The tool call's position in the answer (0, 1, …).</param>
/// <param name="Id">On a call's first piece: its <c>call_…</c> id; null afterwards.</param>
/// <param name="Name">On a call's first piece: the function's name.</param>
/// <param name="Arguments">A fragment of the call's arguments JSON (empty on the first piece).</param>
public readonly record struct ToolCallDelta(string? Content, int Index, string? Id, string? Name, string? Arguments)
{
    public static ToolCallDelta Text(string content) => new(content, 0, null, null, null);

    public static ToolCallDelta Start(int index, string id, string name) => new(null, index, id, name, string.Empty);

    public static ToolCallDelta MoreArguments(int index, string fragment) => new(null, index, null, null, fragment);

    public bool IsContent => Content is not null;
}
