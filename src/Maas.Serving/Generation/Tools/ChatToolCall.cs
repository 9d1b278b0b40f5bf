namespace Maas.Serving.Generation.Tools;

/// <summary>A call of a function tool, as the model made it or as a client sends it back in the next turn.</summary>
/// <param name="Id"><c>call_…</c>, echoed by the <c>tool</c> message that carries the result.</param>
/// <param name="Name">The function's name.</param>
/// <param name="Arguments">The arguments as JSON text (an object when the model followed the schema).</param>
public sealed record ChatToolCall(string Id, string Name, string Arguments);
